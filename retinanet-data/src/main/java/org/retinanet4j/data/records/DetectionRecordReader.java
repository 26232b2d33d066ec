package org.retinanet4j.data.records;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.LongWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.iterator.LoadedSample;
import org.retinanet4j.data.iterator.SampleLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A DataVec {@code RecordReader} over a {@link DetectionDataset}: one record per image, in dataset order, holding
 * <ol>
 *   <li>{@code image}: {@link NDArrayWritable} {@code [1, 3, H, W]}, resized, normalised and zero-padded by the
 *       {@link InputBatcher} (a model's: {@code InputBatcher.of(spec)});</li>
 *   <li>{@code boxes}: {@code [n, 4]} x1,y1,x2,y2 in network-input pixels (boxes without area dropped);</li>
 *   <li>{@code classes}: {@code [n]} class indices (as floats);</li>
 *   <li>{@code ignore}: {@code [n]} 1 for crowd/difficult regions, else 0;</li>
 *   <li>{@code imageId}: {@link LongWritable}, the dataset's image id.</li>
 * </ol>
 * The reader is backed by the dataset given at construction; {@code initialize(...)} only rewinds it. A missing or
 * unreadable image is skipped with a logged warning and counted ({@link #skippedImages()}). Record metadata is a
 * {@link RecordMetaDataIndex} (dataset position, image URI), so {@link #loadFromMetaData} reloads any image.
 */
public class DetectionRecordReader extends BaseRecordReader {

    /** Writable positions in a record. */
    public static final int IMAGE = 0;
    public static final int BOXES = 1;
    public static final int CLASSES = 2;
    public static final int IGNORE = 3;
    public static final int IMAGE_ID = 4;

    private static final Logger log = LoggerFactory.getLogger(DetectionRecordReader.class);

    private final transient DetectionDataset dataset;
    private final transient SampleLoader loader;
    private Configuration conf;
    private int position;
    private long skipped;
    private transient Record lookahead;

    public DetectionRecordReader(DetectionDataset dataset, InputBatcher batcher) {
        this.dataset = dataset;
        this.loader = new SampleLoader(dataset, batcher);
    }

    /** Images skipped so far because they were missing or unreadable. */
    public long skippedImages() {
        return skipped;
    }

    @Override
    public void initialize(InputSplit split) {
        reset();
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) {
        this.conf = conf;
        reset();
    }

    @Override
    public boolean hasNext() {
        while (lookahead == null && position < dataset.numImages()) {
            int index = position++;
            try {
                lookahead = load(index);
            } catch (IOException e) {
                skipped++;
                log.warn("skipping image {} (id {}), {} skipped so far: {}", dataset.fileName(index),
                        dataset.imageId(index), skipped, e.getMessage());
            }
        }
        return lookahead != null;
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more images in " + dataset.source());
        }
        Record r = lookahead;
        lookahead = null;
        invokeListeners(r);
        return r;
    }

    @Override
    public List<String> getLabels() {
        return Arrays.asList(dataset.categories().names());
    }

    @Override
    public void reset() {
        position = 0;
        lookahead = null;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException("records come from the dataset's images; use next()");
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) throws IOException {
        if (!(recordMetaData instanceof RecordMetaDataIndex m)) {
            throw new IllegalArgumentException("expected RecordMetaDataIndex, got " + recordMetaData);
        }
        return load((int) m.getIndex());
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> recordMetaDatas) throws IOException {
        List<Record> out = new ArrayList<>(recordMetaDatas.size());
        for (RecordMetaData m : recordMetaDatas) {
            out.add(loadFromMetaData(m));
        }
        return out;
    }

    @Override
    public void close() {
    }

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
    }

    @Override
    public Configuration getConf() {
        return conf;
    }

    private Record load(int index) throws IOException {
        LoadedSample s = loader.load(index, false);
        int n = s.labels().length;
        float[] classes = new float[n];
        float[] ignore = new float[n];
        for (int b = 0; b < n; b++) {
            classes[b] = s.labels()[b];
            ignore[b] = s.ignore()[b] ? 1f : 0f;
        }
        List<Writable> record = new ArrayList<>(5);
        record.add(new NDArrayWritable(loader.batcher().batch(List.of(s.image())).images()));
        record.add(new NDArrayWritable(array(s.boxes(), n, 4)));
        record.add(new NDArrayWritable(array(classes, n)));
        record.add(new NDArrayWritable(array(ignore, n)));
        record.add(new LongWritable(s.imageId()));
        return new org.datavec.api.records.impl.Record(record,
                new RecordMetaDataIndex(index, dataset.imagePath(index).toUri(), DetectionRecordReader.class));
    }

    private static INDArray array(float[] values, long... shape) {
        if (values.length == 0) {
            return Nd4j.create(DataType.FLOAT, shape);
        }
        return Nd4j.create(values, shape, DataType.FLOAT);
    }
}
