package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.persist.ModelBundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training process killed hard (SIGKILL, no shutdown hooks) after it has written checkpoints restarts from its
 * newest intact checkpoint: the restored parameters are those saved, and continuing reproduces, to float rounding,
 * the run that was never interrupted (same schedule position and data order).
 */
class KilledTrainingResumeTest {
    static final long SEED = 31;

    @TempDir
    Path dir;

    static TrainerConfig config(int iterations) {
        return TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(0.05).warmup(5, 0.1)
                .stepDecay(0.5, 15).checkpointEvery(3).keepLast(3).maxIterations(iterations).seed(7).build();
    }

    static TrainingData data() {
        return TinyGraphs.data(4, 4);
    }

    @Test
    void aKilledRunResumesFromItsLastCheckpoint() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                TrainingChildMain.class.getName(), dir.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        CheckpointManager ckpts = new CheckpointManager(dir, 3);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (ckpts.list().size() < 2 && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(child.isAlive(), "the child stopped early: " + Files.readString(dir.resolve("child.log")));
            assertTrue(ckpts.list().size() >= 2, "no checkpoints within 120 s");
        } finally {
            child.destroyForcibly();   // SIGKILL on Unix: no chance to finish a write or clean up
            child.waitFor(30, TimeUnit.SECONDS);
        }
        Checkpoint cp = ckpts.loadLatest().orElseThrow();
        int at = cp.state().iteration();
        assertEquals(0, at % 3, "checkpoints are written every 3 iterations");
        INDArray saved = ModelBundle.load(cp.file(), true).graph().params();
        assertEquals(saved, cp.model().graph().params(), "the restored parameters are those saved");

        TrainingResult resumed = new Trainer(config(at + 5), TinyGraphs.metadata()).resume(cp, data());
        assertEquals(at + 5, resumed.state().iteration());

        ComputationGraph reference = TinyGraphs.graph(SEED);
        new Trainer(config(at + 5), TinyGraphs.metadata()).fit(reference, data());
        double diff = reference.params().sub(resumed.graph().params()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-6, "resumed run differs from the uninterrupted one by " + diff);
        assertFalse(Double.isNaN(diff));
    }
}
