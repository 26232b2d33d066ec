package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    @TempDir
    Path dir;

    private static TrainerConfig.Builder base() {
        return TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(0.05).warmup(3, 0.1)
                .stepDecay(0.5, 6).seed(5);
    }

    @Test
    void trainingLowersTheLoss() {
        ComputationGraph g = TinyGraphs.graph(11);
        MultiDataSet probe = TinyGraphs.batches(1, 16, 99).get(0);
        double before = g.score(probe);
        TrainingResult r = new Trainer(base().maxIterations(60).build(), TinyGraphs.metadata())
                .fit(g, TinyGraphs.data(5, 8));
        assertEquals(60, r.state().iteration());
        assertEquals(11, r.state().epoch(), "the epoch advances when the next batch is needed");
        assertEquals(5, r.state().batchInEpoch());
        assertEquals(TrainingResult.StopReason.ITERATIONS, r.stopReason());
        double after = g.score(probe);
        assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
    }

    @Test
    void resumingFromACheckpointReproducesTheUninterruptedRun() {
        TrainingData data = TinyGraphs.data(5, 4);
        ComputationGraph reference = TinyGraphs.graph(21);
        new Trainer(base().maxIterations(9).build(), TinyGraphs.metadata()).fit(reference, data);

        CheckpointManager ckpts = new CheckpointManager(dir, 2);
        new Trainer(base().maxIterations(7).checkpointEvery(3).build(), TinyGraphs.metadata())
                .checkpoints(ckpts).fit(TinyGraphs.graph(21), data);
        assertEquals(List.of("checkpoint-000000007.zip", "checkpoint-000000006.zip"), ckpts.names(),
                "every 3 iterations + the end, the last 2 kept");
        Checkpoint cp = ckpts.loadLatest().orElseThrow();
        assertEquals(new TrainingState(7, 1, 2, 5, 28, 0), cp.state(), "epoch 1, batch 2 of 5");
        assertEquals(7, cp.model().graph().getIterationCount());

        TrainingResult resumed = new Trainer(base().maxIterations(9).build(), TinyGraphs.metadata())
                .resume(cp, data);
        assertEquals(9, resumed.state().iteration());
        assertArrayEquals(reference.params(), resumed.graph().params());
    }

    @Test
    void aTruncatedCheckpointIsDetectedAndThePreviousOneUsed() throws Exception {
        CheckpointManager ckpts = new CheckpointManager(dir, 3);
        ComputationGraph g = TinyGraphs.graph(4);
        Trainer t = new Trainer(base().maxIterations(4).checkpointEvery(2).build(), TinyGraphs.metadata())
                .checkpoints(ckpts);
        t.fit(g, TinyGraphs.data(3, 2));
        INDArray savedAt4 = ckpts.loadLatest().orElseThrow().model().graph().params().dup();
        new Trainer(base().maxIterations(6).checkpointEvery(2).build(), TinyGraphs.metadata()).checkpoints(ckpts)
                .resume(ckpts.loadLatest().orElseThrow(), TinyGraphs.data(3, 2));
        Path newest = dir.resolve("checkpoint-000000006.zip");
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length - 100));

        Checkpoint cp = ckpts.loadLatest().orElseThrow();
        assertEquals(dir.resolve("checkpoint-000000004.zip"), cp.file());
        assertEquals(4, cp.state().iteration());
        assertEquals(savedAt4, cp.model().graph().params());
    }

    @Test
    void aNanLossStopsNamingIterationAndBatchAndKeepsTheLastGoodCheckpoint() {
        CheckpointManager ckpts = new CheckpointManager(dir, 5);
        Trainer t = new Trainer(base().maxIterations(20).checkpointEvery(1).build(), TinyGraphs.metadata())
                .checkpoints(ckpts);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> t.fit(TinyGraphs.graph(8), poisoned(4, 2, 2)));
        assertTrue(e.getMessage().contains("iteration 3 (epoch 0, batch 2)"), e.getMessage());
        assertEquals("checkpoint-000000002.zip", ckpts.names().get(0));
        assertTrue(e.getMessage().contains("checkpoint-000000002.zip"), e.getMessage());
    }

    @Test
    void aNanLossCanBeSkipped() {
        ComputationGraph g = TinyGraphs.graph(8);
        TrainingResult r = new Trainer(base().maxIterations(10).nonFinitePolicy(NonFinitePolicy.SKIP).build(),
                TinyGraphs.metadata()).fit(g, poisoned(4, 2, 2));
        assertEquals(10, r.state().iteration());
        assertEquals(3, r.state().skippedBatches(), "batch 2 of epochs 0, 1 and 2");
        assertFalse(g.params().isNaN().any() || g.params().isInfinite().any());
        assertTrue(Double.isFinite(r.lastLoss()));
    }

    @Test
    void stopsAtTheTimeLimit() {
        TrainingResult r = new Trainer(base().maxDuration(java.time.Duration.ofMillis(300)).build(),
                TinyGraphs.metadata()).fit(TinyGraphs.graph(1), TinyGraphs.data(3, 2));
        assertEquals(TrainingResult.StopReason.TIME_LIMIT, r.stopReason());
        assertTrue(r.state().iteration() > 0);
    }

    /** Every epoch's batch {@code bad} has a NaN pixel. */
    private static TrainingData poisoned(int batches, int batchSize, int bad) {
        TrainingData clean = TinyGraphs.data(batches, batchSize);
        return epoch -> {
            var it = (TinyGraphs.ListIterator) clean.epoch(epoch);
            List<MultiDataSet> list = new java.util.ArrayList<>();
            while (it.hasNext()) {
                list.add(it.next());
            }
            MultiDataSet m = list.get(bad);
            INDArray f = m.getFeatures(0).dup();
            f.putScalar(0, Double.NaN);
            list.set(bad, new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{f}, m.getLabels()));
            return new TinyGraphs.ListIterator(list);
        };
    }

    private static void assertArrayEquals(INDArray expected, INDArray actual) {
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff < 1e-6, "max |difference| " + diff);
    }
}
