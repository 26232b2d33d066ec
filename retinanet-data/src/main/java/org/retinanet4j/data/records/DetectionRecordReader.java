package org.retinanet4j.data.records;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.retinanet4j.data.DetectionDataset;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A DataVec {@code RecordReader} over a {@link DetectionDataset}: one {@link DetectionRecord} per image, in dataset
 * order (all 7 fields: image path, boxes, classes, image id, ignore flags, width, height). Records are built from
 * the in-memory index only: reading one touches no image file (the training iterator decodes the image), so
 * {@link #record(int)} is cheap, thread-safe and random access ({@link IndexedRecordReader}).
 *
 * <p>Use it directly on a dataset you have read ({@code new DetectionRecordReader(dataset)}), or through the format
 * readers that read their dataset in {@code initialize(InputSplit)} as DataVec readers do:
 * {@link CocoRecordReader}, {@link VocRecordReader}, {@link CsvRecordReader}. Record metadata is a
 * {@link RecordMetaDataIndex} (position, image URI), so {@link #loadFromMetaData} returns any record again.
 */
public class DetectionRecordReader extends BaseRecordReader implements IndexedRecordReader {

    private DetectionDataset dataset;
    private Configuration conf = new Configuration();
    private int position;

    /** Records of a dataset already read. {@code initialize(...)} only rewinds. */
    public DetectionRecordReader(DetectionDataset dataset) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
    }

    /** For format readers that read their dataset in {@link #initialize(Configuration, InputSplit)}. */
    protected DetectionRecordReader() {
    }

    /**
     * The dataset named by {@code split}. This base class returns the dataset given at construction; the format
     * readers parse their annotation file or folder.
     */
    protected DetectionDataset read(InputSplit split, Configuration conf) throws IOException {
        if (dataset == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no dataset");
        }
        return dataset;
    }

    @Override
    public void initialize(InputSplit split) throws IOException {
        initialize(conf, split);
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) throws IOException {
        this.conf = conf == null ? new Configuration() : conf;
        this.dataset = read(split, this.conf);
        reset();
    }

    /** The dataset behind the records (evaluation reads its ground truth from it). */
    public DetectionDataset dataset() {
        if (dataset == null) {
            throw new IllegalStateException(getClass().getSimpleName() + ": call initialize(InputSplit) first");
        }
        return dataset;
    }

    @Override
    public int numRecords() {
        return dataset().numImages();
    }

    @Override
    public List<Writable> record(int index) {
        DetectionDataset d = dataset();
        if (index < 0 || index >= d.numImages()) {
            throw new NoSuchElementException("record " + index + " of " + d.source() + " (it has " + d.numImages()
                    + ")");
        }
        return new DetectionRecord(new Text(d.imagePath(index).toAbsolutePath().toString()), d.boxesOf(index),
                d.classesOf(index), d.imageId(index), d.ignoredOf(index), d.width(index), d.height(index))
                .toWritables();
    }

    @Override
    public boolean hasNext() {
        return position < numRecords();
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more records in " + dataset().source());
        }
        Record r = load(position++);
        invokeListeners(r);
        return r;
    }

    @Override
    public List<String> getLabels() {
        return Arrays.asList(dataset().categories().names());
    }

    @Override
    public void reset() {
        position = 0;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException("records come from the dataset index; use next() or record(int)");
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        if (!(recordMetaData instanceof RecordMetaDataIndex m)) {
            throw new IllegalArgumentException("expected RecordMetaDataIndex, got " + recordMetaData);
        }
        return load((int) m.getIndex());
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> recordMetaDatas) {
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

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (dataset == null ? "not initialised" : dataset.toString()) + "]";
    }

    private Record load(int index) {
        return new org.datavec.api.records.impl.Record(record(index),
                new RecordMetaDataIndex(index, dataset.imagePath(index).toUri(), getClass()));
    }

    /**
     * The one file or folder an {@link InputSplit} names: a {@link FileSplit}'s root, or the single location of
     * any other split.
     */
    protected static Path singleLocation(InputSplit split, String what) {
        if (split instanceof FileSplit fs && fs.getRootDir() != null) {
            return fs.getRootDir().toPath();
        }
        URI[] locations = split == null ? null : split.locations();
        if (locations == null || locations.length != 1) {
            throw new IllegalArgumentException("expected an InputSplit naming one " + what + ", got "
                    + (locations == null ? "none" : locations.length + " locations"));
        }
        URI u = locations[0];
        return u.getScheme() == null ? Path.of(u.toString()) : Path.of(u);
    }
}
