package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.persist.ModelBundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint folder that fills up, or becomes read-only, while training runs: the background write fails, the
 * run stops with one {@link UncheckedIOException} that names the checkpoint, the reason and the last good
 * checkpoint, and that checkpoint is still intact (its CRC-32s check out and it holds the parameters it was
 * written with). The folder is a small tmpfs mounted by the test, which needs root (CI runs as root); without it
 * the test is skipped with a message saying so, and {@code .ci/run} lists it among the skipped tests.
 */
class CheckpointDiskFaultTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskStopsTrainingWithOneErrorAndKeepsTheLastCheckpoint() throws Exception {
        try (ScratchFileSystem fs = scratch()) {
            Path ckpts = fs.root().resolve("checkpoints");
            INDArray saved = trainThreeIterations(ckpts);
            fs.fill();

            UncheckedIOException e = continueToIteration9(ckpts);
            assertOneClearError(e, ckpts, "No space left on device");
            assertLastGoodCheckpointIntact(ckpts, saved);
        }
    }

    @Test
    void aReadOnlyFolderStopsTrainingWithOneErrorAndKeepsTheLastCheckpoint() throws Exception {
        try (ScratchFileSystem fs = scratch()) {
            Path ckpts = fs.root().resolve("checkpoints");
            INDArray saved = trainThreeIterations(ckpts);
            fs.remountReadOnly();

            UncheckedIOException e = continueToIteration9(ckpts);
            assertOneClearError(e, ckpts, "Read-only file system");
            assertLastGoodCheckpointIntact(ckpts, saved);
        }
    }

    private ScratchFileSystem scratch() {
        try {
            return ScratchFileSystem.mount(dir.resolve("fs"), 256);
        } catch (IOException e) {
            Assumptions.abort("DISK FAULT TEST NOT RUN: it needs a tmpfs it can fill and remount read-only, "
                    + "which needs root (" + e.getMessage() + ")");
            throw new AssertionError(e);
        }
    }

    private static INDArray trainThreeIterations(Path ckpts) {
        ComputationGraph g = TinyGraphs.graph(KilledTrainingResumeTest.SEED);
        TrainingResult r = new Trainer(KilledTrainingResumeTest.config(3), TinyGraphs.metadata())
                .checkpoints(new CheckpointManager(ckpts, 3)).fit(g, KilledTrainingResumeTest.data());
        assertEquals(ckpts.resolve("checkpoint-000000003.zip"), r.lastCheckpoint());
        return g.params().dup();
    }

    private static UncheckedIOException continueToIteration9(Path ckpts) {
        CheckpointManager manager = new CheckpointManager(ckpts, 3);
        Checkpoint cp = manager.loadLatest().orElseThrow();
        return assertThrows(UncheckedIOException.class, () -> new Trainer(KilledTrainingResumeTest.config(9),
                TinyGraphs.metadata()).checkpoints(manager).resume(cp, KilledTrainingResumeTest.data()));
    }

    private static void assertOneClearError(UncheckedIOException e, Path ckpts, String reason) {
        String m = e.getMessage();
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.startsWith("cannot write checkpoint " + ckpts.resolve("checkpoint-000000006.zip")), m);
        assertTrue(m.contains(reason), m);
        assertTrue(m.endsWith("; the last good checkpoint is " + ckpts.resolve("checkpoint-000000003.zip")), m);
        assertEquals(0, e.getSuppressed().length, "one error, not one per checkpoint: " + List.of(e.getSuppressed()));
    }

    private static void assertLastGoodCheckpointIntact(Path ckpts, INDArray saved) throws IOException {
        CheckpointManager manager = new CheckpointManager(ckpts, 3);
        assertEquals(List.of("checkpoint-000000003.zip"), manager.names());
        Path file = ckpts.resolve("checkpoint-000000003.zip");
        ModelBundle.validate(file);
        Checkpoint cp = manager.loadLatest().orElseThrow();
        assertEquals(3, cp.state().iteration());
        assertEquals(0.0, cp.model().graph().params().sub(saved).amaxNumber().doubleValue(),
                "the last good checkpoint holds the parameters it was written with");
        try (Stream<Path> files = Files.list(ckpts)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
                    "no temporary file is left behind");
        }
    }
}
