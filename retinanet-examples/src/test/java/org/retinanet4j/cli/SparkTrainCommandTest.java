package org.retinanet4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code retinanet train --spark local[2]} in-process, end to end: synthetic data, Spark training, evaluation. */
class SparkTrainCommandTest {

    @TempDir
    Path dir;


    @Test
    void trainOnLocalSparkWritesAModelThatEvaluateReads() {
        Path shapes = dir.resolve("shapes");
        assertEquals(0, CliRun.run("synth", "--out", shapes.toString(), "--images", "12", "--size", "128").exit());
        Path runDir = dir.resolve("runs/spark");
        CliRun train = CliRun.run("train", "--train", shapes.resolve("annotations/instances_train.json").toString(),
                "--images", shapes.resolve("train").toString(),
                "--val", shapes.resolve("annotations/instances_val.json").toString(),
                "--val-images", shapes.resolve("val").toString(),
                "--out", runDir.toString(), "--spark", "local[2]", "--averaging-frequency", "1",
                "--backbone", "small", "--size", "128", "--epochs", "1", "--batch", "2", "--optimizer", "adam",
                "--checkpoint-every", "2");
        assertEquals(0, train.exit(), train.err());
        assertTrue(train.out().contains("Spark: 2 workers"), train.out());
        assertTrue(train.out().contains("Average Precision"), "validation table after training: " + train.out());
        Path model = runDir.resolve("model.zip");
        SavedModel saved = ModelBundle.load(model);
        assertEquals(3, saved.metadata().numClasses());
        assertTrue(Files.isDirectory(runDir.resolve("checkpoints")));

        CliRun eval = CliRun.run("evaluate", "--model", model.toString(),
                "--annotations", shapes.resolve("annotations/instances_val.json").toString(),
                "--images", shapes.resolve("val").toString(), "--json");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().contains("\"AP50\":"), eval.out());
    }

    @Test
    void anUnreachableMasterOrConflictingOptionsEndWithOneLine() throws Exception {
        Path shapes = dir.resolve("shapes");
        assertEquals(0, CliRun.run("synth", "--out", shapes.toString(), "--images", "2", "--size", "128").exit());
        String json = shapes.resolve("annotations/instances_train.json").toString();
        String images = shapes.resolve("train").toString();
        CliRun unreachable = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.run("train", "--train", json,
                "--images", images, "--out", dir.resolve("r1").toString(), "--spark", "spark://127.0.0.1:1"));
        assertEquals(2, unreachable.exit());
        assertTrue(unreachable.err().contains("spark://127.0.0.1:1") && unreachable.err().contains("cannot reach"),
                unreachable.err());
        CliRun both = CliRun.run("train", "--train", json, "--images", images, "--out", dir.resolve("r2").toString(),
                "--spark", "local[2]", "--workers", "2");
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("--workers") && both.err().contains("--spark"), both.err());
    }
}
