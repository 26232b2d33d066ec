package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training process killed with SIGKILL while it writes a checkpoint (its temporary file complete, the rename not
 * yet done: {@link CheckpointKillChildMain} holds the background writer there) loses only that checkpoint: the
 * folder holds the previous one intact, with the parameters of an uninterrupted run at that iteration, and
 * resuming from it reproduces the uninterrupted run. The half-done temporary file is never taken for a checkpoint,
 * and is removed when the folder is next loaded.
 */
class KilledDuringCheckpointWriteTest {
    private static final int KILLED_AT = 6;   // checkpoints every 3: 3 is complete, 6 is being written

    @TempDir
    Path dir;

    @Test
    void aKillDuringTheWriteLeavesThePreviousCheckpointToResumeFrom() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                CheckpointKillChildMain.class.getName(), dir.toString(), String.valueOf(KILLED_AT))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path marker = dir.resolve("writing-" + KILLED_AT);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(marker) && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(marker), "the child never reached the write of checkpoint " + KILLED_AT + ": "
                    + Files.readString(dir.resolve("child.log")));
        } finally {
            child.destroyForcibly();   // SIGKILL on Unix: no shutdown hooks, no finally blocks
            child.waitFor(30, TimeUnit.SECONDS);
        }
        Path temporary = dir.resolve(Files.readString(marker).trim());
        assertTrue(Files.size(temporary) > 0, "the kill hit a complete temporary file: " + temporary);

        CheckpointManager checkpoints = new CheckpointManager(dir, 3);
        assertEquals(List.of("checkpoint-000000003.zip"), checkpoints.names(),
                "only the checkpoint written before the kill is there");
        Checkpoint cp = checkpoints.loadLatest().orElseThrow();
        assertEquals(3, cp.state().iteration());
        assertFalse(Files.exists(temporary), "the interrupted write's temporary file is cleaned up");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files");
        }

        // the restored parameters are those of an uninterrupted run at iteration 3 (to float rounding: the two
        // processes' kernels may round differently), far closer than those of the neighbouring iteration
        INDArray restored = cp.model().graph().params();
        double off3 = restored.sub(uninterrupted(3).params()).amaxNumber().doubleValue();
        double off2 = restored.sub(uninterrupted(2).params()).amaxNumber().doubleValue();
        assertTrue(off3 < 1e-6, "restored parameters differ from the uninterrupted run at iteration 3 by " + off3);
        assertTrue(off2 > 1e-4, "iterations 2 and 3 are told apart (" + off2 + ")");

        TrainingResult resumed = new Trainer(KilledTrainingResumeTest.config(KILLED_AT + 2), TinyGraphs.metadata())
                .resume(cp, KilledTrainingResumeTest.data());
        double diff = uninterrupted(KILLED_AT + 2).params().sub(resumed.graph().params()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-6, "resumed run differs from the uninterrupted one by " + diff);
    }

    private static ComputationGraph uninterrupted(int iterations) {
        ComputationGraph g = TinyGraphs.graph(KilledTrainingResumeTest.SEED);
        new Trainer(KilledTrainingResumeTest.config(iterations), TinyGraphs.metadata()).fit(g,
                KilledTrainingResumeTest.data());
        return g;
    }
}
