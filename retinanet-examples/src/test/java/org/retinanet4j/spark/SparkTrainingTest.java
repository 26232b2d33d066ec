package org.retinanet4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.iterator.SampleMetadata;
import org.retinanet4j.data.records.InvalidRecordException;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.train.Checkpoint;
import org.retinanet4j.train.CheckpointManager;
import org.retinanet4j.train.ProgressReporter;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.train.TrainingState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RetinaNet training through DL4J's SparkComputationGraph on a local[2] master, from DataVec records. */
class SparkTrainingTest extends LocalSpark {

    @TempDir
    static Path dir;

    private static String ids(List<SampleMetadata> meta) {
        StringBuilder sb = new StringBuilder();
        meta.forEach(m -> sb.append(m.imageId()).append(m.flipped() ? "f " : " "));
        return sb.toString();
    }

    @Test
    void executorsBatchRecordsAsTheLocalIteratorDoes() throws Exception {
        DetectionDataset d = SparkFixtures.shapes(dir.resolve("seven"), 7, 21);
        ModelMetadata md = SparkFixtures.metadata(d);
        BatchRecipe recipe = BatchRecipe.forTraining(md.spec(), 9);
        RecordBatches spark = new RecordBatches(sc, sc.parallelize(SparkFixtures.records(d), 3), 2, recipe, "seven");
        assertEquals(4, spark.batchesPerEpoch());
        for (int epoch = 0; epoch < 2; epoch++) {
            Map<String, MultiDataSet> fromExecutors = new HashMap<>();
            for (MultiDataSet m : spark.batches(epoch, 0, 4).collect()) {
                @SuppressWarnings("unchecked")
                List<SampleMetadata> meta = (List<SampleMetadata>) (List<?>) m.getExampleMetaData();
                fromExecutors.put(ids(meta), m);
            }
            assertEquals(4, fromExecutors.size());
            try (RetinaNetIterator local = recipe.localIterator(d).batchSize(2)
                    .loaderThreads(0).build()) {
                local.startAt(epoch, 0);
                String firstOfEpoch = null;
                for (int b = 0; b < 4; b++) {
                    MultiDataSet expected = local.next();
                    String key = ids(local.lastBatchMetadata());
                    if (b == 0) {
                        firstOfEpoch = key.substring(0, key.indexOf(' ') + 1);
                    }
                    if (b == 3) {   // the short last batch, filled up with the epoch's first record
                        key = key + firstOfEpoch;
                        assertTrue(fromExecutors.containsKey(key), key + " in " + fromExecutors.keySet());
                        assertEquals(expected.getFeatures(0), fromExecutors.get(key).getFeatures(0)
                                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)));
                        continue;
                    }
                    MultiDataSet actual = fromExecutors.get(key);
                    assertTrue(actual != null, "epoch " + epoch + ": local batch " + key + " in " + fromExecutors.keySet());
                    assertEquals(expected.getFeatures(0), actual.getFeatures(0));
                    assertEquals(expected.getLabels(0), actual.getLabels(0));
                    assertEquals(expected.getLabels(1), actual.getLabels(1));
                }
            }
        }
        spark.release();
    }

    @Test
    void aRetinaNetTrainsFromRecordsItsLossFallsAndCheckpointsResume() throws Exception {
        // a quarter of the images have no objects: valid all-background examples, as in local training
        DetectionDataset d = SparkFixtures.shapes(dir.resolve("train"), 16, 5, 0.25);
        assertTrue(d.imagesWithObjects().length < d.numImages(), "some records have no boxes");
        ModelMetadata md = SparkFixtures.metadata(d);
        ComputationGraph graph = SparkFixtures.smallGraph(d.categories().size(), 1);
        CheckpointManager checkpoints = new CheckpointManager(dir.resolve("checkpoints"), 2);
        List<Double> losses = new ArrayList<>();
        ProgressReporter record = new ProgressReporter() {
            @Override
            public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
                losses.add(loss);
            }
        };
        JavaRDD<List<Writable>> records = sc.parallelize(SparkFixtures.records(d), 2);
        SparkTrainingSettings settings = SparkTrainingSettings.averaging(2, 1);
        TrainingResult result = new SparkTrainer(sc, SparkFixtures.adam(12, 3), md, settings)
                .checkpoints(checkpoints).progress(record).fit(graph, records, "shapes");

        // 12 rounds of one batch per worker: 24 of the 8-batch epochs' batches, 48 images
        assertEquals(12, result.state().iteration());
        assertEquals(24, result.state().epoch() * 8 + result.state().batchInEpoch());
        assertEquals(48, result.state().imagesSeen());
        assertTrue(losses.size() >= 4, "a report after each fit: " + losses);
        assertTrue(losses.get(losses.size() - 1) < 0.8 * losses.get(0), "loss should fall: " + losses);

        Checkpoint last = checkpoints.loadLatest().orElseThrow();
        assertEquals(result.state(), last.state());
        assertEquals(graph.params(), last.model().graph().params());

        TrainingResult resumed = new SparkTrainer(sc, SparkFixtures.adam(16, 3), md, settings)
                .checkpoints(checkpoints).resume(last, records, "shapes");
        assertEquals(16, resumed.state().iteration());
        assertEquals(32, resumed.state().epoch() * 8 + resumed.state().batchInEpoch(),
                "the resumed run went on from the saved batch: 8 more batches in 4 rounds");
        assertEquals(16, checkpoints.loadLatest().orElseThrow().state().iteration());
    }

    @Test
    void aMalformedRecordStopsTrainingNamingTheRecordAndField() throws Exception {
        DetectionDataset d = SparkFixtures.shapes(dir.resolve("bad"), 4, 8);
        List<List<Writable>> records = SparkFixtures.records(d);
        List<Writable> broken = new ArrayList<>(records.get(2));   // boxes of the wrong shape: [1, 3]
        broken.set(1, new NDArrayWritable(Nd4j.create(new float[] {12, 30, 40}, new long[] {1, 3}, DataType.FLOAT)));
        records.set(2, broken);
        SparkTrainer trainer = new SparkTrainer(sc, SparkFixtures.adam(2, 0), SparkFixtures.metadata(d),
                SparkTrainingSettings.averaging(2, 1));
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> trainer.fit(
                SparkFixtures.smallGraph(3, 2), sc.parallelize(records, 2), "bad.json"));
        assertTrue(e.getMessage().contains("record 2 of bad.json") && e.getMessage().contains("field boxes")
                && e.getMessage().contains("[n, 4]"), e.getMessage());
    }

    @Test
    void anUnreachableMasterIsReportedWithinSeconds() {
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                IllegalArgumentException.class, () -> SparkContexts.open("spark://127.0.0.1:1", "t",
                        Duration.ofSeconds(10))));
        assertTrue(e.getMessage().contains("spark://127.0.0.1:1") && e.getMessage().contains("cannot reach"),
                e.getMessage());
    }
}
