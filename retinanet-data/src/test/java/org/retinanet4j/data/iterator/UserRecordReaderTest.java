package org.retinanet4j.data.iterator;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.LongWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.records.InvalidRecordException;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingData;
import org.retinanet4j.zoo.RetinaNet;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DataVec reader written the way a user writes one (PNG files with a text file of boxes beside each) feeds the
 * training iterator: it yields exactly the batches of the built-in path for the same images, trains a RetinaNet,
 * and its faults (a missing image, a malformed record, an image without boxes) behave as the local path's do.
 */
class UserRecordReaderTest {

    /** The small RetinaNet for 2 classes at 128 x 128: its input preparation, anchors and targets. */
    private static final RetinaNet ZOO = RetinaNet.smallBuilder(2).inputShape(3, 128, 128).seed(1).build();
    private static final RetinaNetSpec SPEC = ZOO.spec();

    /**
     * The user's reader: every {@code *.png} of the split with {@code <name>.txt} beside it holding
     * {@code x1 y1 x2 y2 class} lines; records in file-name order, ids 1..n. Four-field records, no random access.
     */
    static class FolderBoxesReader extends BaseRecordReader {
        private List<Path> images = List.of();
        private int next;
        private Configuration conf;

        @Override
        public void initialize(InputSplit split) {
            images = Arrays.stream(split.locations()).map(Path::of).filter(p -> p.toString().endsWith(".png"))
                    .sorted().toList();
            next = 0;
        }

        @Override
        public void initialize(Configuration conf, InputSplit split) {
            this.conf = conf;
            initialize(split);
        }

        @Override
        public boolean hasNext() {
            return next < images.size();
        }

        @Override
        public List<Writable> next() {
            Path png = images.get(next++);
            List<float[]> rows = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(Path.of(png.toString().replace(".png", ".txt")))) {
                    if (!line.isBlank()) {
                        String[] f = line.trim().split("\\s+");
                        rows.add(new float[] {Float.parseFloat(f[0]), Float.parseFloat(f[1]), Float.parseFloat(f[2]),
                                Float.parseFloat(f[3]), Float.parseFloat(f[4])});
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            float[] boxes = new float[4 * rows.size()];
            float[] classes = new float[rows.size()];
            for (int b = 0; b < rows.size(); b++) {
                System.arraycopy(rows.get(b), 0, boxes, 4 * b, 4);
                classes[b] = rows.get(b)[4];
            }
            List<Writable> record = new ArrayList<>();
            record.add(new Text(png.toString()));
            record.add(new NDArrayWritable(boxes.length == 0 ? Nd4j.create(DataType.FLOAT, 0, 4)
                    : Nd4j.create(boxes, new long[] {rows.size(), 4}, DataType.FLOAT)));
            record.add(new NDArrayWritable(classes.length == 0 ? Nd4j.create(DataType.FLOAT, 0)
                    : Nd4j.create(classes, new long[] {rows.size()}, DataType.FLOAT)));
            record.add(new LongWritable(next));
            return record;
        }

        @Override
        public List<String> getLabels() {
            return List.of("a", "b");
        }

        @Override
        public void reset() {
            next = 0;
        }

        @Override
        public boolean resetSupported() {
            return true;
        }

        @Override
        public List<Writable> record(URI uri, DataInputStream dataInputStream) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Record nextRecord() {
            return new org.datavec.api.records.impl.Record(next(), null);
        }

        @Override
        public Record loadFromMetaData(RecordMetaData recordMetaData) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Record> loadFromMetaData(List<RecordMetaData> recordMetaDatas) {
            throw new UnsupportedOperationException();
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
    }

    @TempDir
    Path dir;

    private final List<Object[]> images = new ArrayList<>();

    /** Four 128x128 images with one or two rectangles each (classes 0 and 1); the last has none. */
    @BeforeEach
    void writeImages() throws IOException {
        int[][][] rects = {
                {{10, 12, 70, 80, 0xFF0000, 0}},
                {{40, 30, 110, 90, 0x00FF00, 1}, {5, 5, 35, 40, 0xFF0000, 0}},
                {{60, 50, 120, 120, 0x0000FF, 1}},
                {}};
        for (int i = 0; i < rects.length; i++) {
            String name = "img" + i + ".png";
            TestImages.write(dir.resolve(name), 128, 128, rects[i]);
            StringBuilder txt = new StringBuilder();
            for (int[] r : rects[i]) {
                txt.append(r[0]).append(' ').append(r[1]).append(' ').append(r[2]).append(' ').append(r[3])
                        .append(' ').append(r[5]).append('\n');
            }
            Files.writeString(dir.resolve("img" + i + ".txt"), txt);
            images.add(new Object[] {name, 128, 128, rects[i]});
        }
    }

    private FolderBoxesReader reader() {
        FolderBoxesReader r = new FolderBoxesReader();
        r.initialize(new FileSplit(dir.toFile()));
        return r;
    }

    private static RetinaNetIterator.Builder settings(RetinaNetIterator.Builder b) {
        return b.withTargets().batchSize(2).flipProbability(0.5).seed(3).loaderThreads(1);
    }

    @Test
    void aUsersReaderGivesTheSameBatchesAsTheBuiltInPath() throws IOException {
        // the same images as a dataset (ids 1..n in file order, like the reader's)
        DetectionDataset d = TestImages.dataset(dir, images);
        try (RetinaNetIterator user = settings(RetinaNetIterator.builder(reader(), SPEC)).build();
             RetinaNetIterator builtIn = settings(RetinaNetIterator.builder(d, SPEC)).build()) {
            boolean flipped = false;
            for (int epoch = 0; epoch < 3; epoch++) {
                int batches = 0;
                while (builtIn.hasNext()) {
                    assertTrue(user.hasNext());
                    MultiDataSet a = user.next();
                    MultiDataSet b = builtIn.next();
                    assertEquals(b.getFeatures(0), a.getFeatures(0), "epoch " + epoch + " batch " + batches);
                    assertEquals(b.getLabels(0), a.getLabels(0));
                    assertEquals(b.getLabels(1), a.getLabels(1));
                    for (SampleMetadata m : user.lastBatchMetadata()) {
                        flipped |= m.flipped();
                    }
                    batches++;
                }
                assertEquals(2, batches);
                assertTrue(!user.hasNext());
                user.reset();
                builtIn.reset();
            }
            assertTrue(flipped, "the comparison covered flipped images");
            assertEquals(-1, user.batchesPerEpoch(), "a plain reader does not know its length");
        }
    }

    @Test
    void aUsersReaderTrainsARetinaNet() {
        ComputationGraph graph = ZOO.init();
        ModelMetadata md = ModelMetadata.of(SPEC, List.of("a", "b"), new int[] {0, 1});
        TrainerConfig config = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3)
                .weightDecay(0).warmup(0, 1).maxIterations(12).seed(1).build();
        List<Double> losses = new ArrayList<>();
        try (RetinaNetIterator it = settings(RetinaNetIterator.builder(reader(), SPEC)).build()) {
            new Trainer(config, md).listener(new BaseTrainingListener() {
                @Override
                public void iterationDone(Model model, int iteration, int epoch) {
                    losses.add(model.score());
                }
            }).fit(graph, TrainingData.resetting(it));
        }
        assertEquals(12, losses.size());
        double first = (losses.get(0) + losses.get(1)) / 2;
        double last = (losses.get(10) + losses.get(11)) / 2;
        assertTrue(last < 0.8 * first, "loss should fall: " + losses);
    }

    @Test
    void faultsOfAUsersRecordsAreSkipsOrErrorsNamingTheRecord() throws IOException {
        // an image without boxes is a valid, all-background example (as in the local path)
        try (RetinaNetIterator it = settings(RetinaNetIterator.builder(reader(), SPEC)).flipProbability(0).build()) {
            it.next();
            MultiDataSet second = it.next();
            assertEquals(2, second.getFeatures(0).size(0));
            assertEquals(4L, it.lastBatchMetadata().get(1).imageId());
            assertEquals(0.0, second.getLabels(0).getRow(1).sumNumber().doubleValue(), "no positive anchors");
        }
        // a record naming a missing file: skipped, logged and counted
        FolderBoxesReader missing = reader();           // lists the four images,
        Files.delete(dir.resolve("img0.png"));          // then the first one disappears
        try (RetinaNetIterator it = settings(RetinaNetIterator.builder(missing, SPEC)).build()) {
            List<Long> ids = new ArrayList<>();
            while (it.hasNext()) {
                it.next();
                it.lastBatchMetadata().forEach(m -> ids.add(m.imageId()));
            }
            assertEquals(List.of(2L, 3L, 4L), ids);
            assertEquals(1, it.skippedImages());
        }
        // a record of the wrong shape stops the iteration with the record and the field named
        FolderBoxesReader wrong = new FolderBoxesReader() {
            @Override
            public List<Writable> next() {
                List<Writable> r = super.next();
                r.set(2, new Text("dog"));
                return r;
            }
        };
        wrong.initialize(new FileSplit(dir.toFile()));
        try (RetinaNetIterator it = settings(RetinaNetIterator.builder(wrong, SPEC)).build()) {
            InvalidRecordException e = assertThrows(InvalidRecordException.class, it::next);
            assertTrue(e.getMessage().contains("record 0 of") && e.getMessage().contains("field classes"),
                    e.getMessage());
        }
    }
}
