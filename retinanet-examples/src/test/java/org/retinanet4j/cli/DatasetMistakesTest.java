package org.retinanet4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dataset-level mistakes end before any training: a wrong image folder (the annotations' own folder, when the
 * images are in a sibling) and an output folder that cannot be written each give one line naming the folder, and
 * for the image folder also where the images are.
 */
class DatasetMistakesTest {
    @TempDir
    Path dir;

    @Test
    void trainWithTheAnnotationsFolderAsImageFolderStopsAtOnceAndNamesTheRightOne() {
        Path shapes = dir.resolve("shapes");
        assertEquals(0, CliRun.run("synth", "--out", shapes.toString(), "--images", "30", "--size", "64").exit());
        Path out = dir.resolve("run");
        // the mistake of the issue: --images forgotten, so the JSON's own folder (shapes/annotations) is searched
        CliRun r = CliRun.run("train", "--data", shapes.resolve("annotations/instances_train.json").toString(),
                "--out", out.toString(), "--size", "128", "--epochs", "1");
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        String m = r.err();
        assertTrue(m.startsWith("error: ") && m.contains("instances_train.json"), m);
        assertTrue(m.contains("is in the image folder " + shapes.resolve("annotations").toAbsolutePath()), m);
        Path train = shapes.resolve("train").toAbsolutePath();
        assertTrue(m.contains("; they are in " + train + " (") && m.contains("give --images " + train), m);
        assertFalse(Files.exists(out.resolve("checkpoints")), "no training started");
        // before the network is built or an image decoded: well within the time of one training step
        assertTrue(r.millis() < 30_000, "took " + r.millis() + " ms");
    }

    @Test
    void evaluateWithAWrongImageFolderNamesIt() throws Exception {
        Path shapes = dir.resolve("shapes");
        assertEquals(0, CliRun.run("synth", "--out", shapes.toString(), "--images", "10", "--size", "64").exit());
        Path model = dir.resolve("model.zip");
        org.retinanet4j.zoo.RetinaNet small = org.retinanet4j.zoo.RetinaNet.small(3);
        org.retinanet4j.persist.ModelBundle.save(model, new org.retinanet4j.persist.SavedModel(small.init(),
                org.retinanet4j.persist.ModelMetadata.of(small.spec(), List.of("square", "circle", "triangle"),
                        new int[]{1, 3, 7})));   // the shapes dataset's category ids
        CliRun r = CliRun.run("evaluate", "--model", model.toString(), "--data",
                shapes.resolve("annotations/instances_val.json").toString(), "--images", dir.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("is in the image folder " + dir.toAbsolutePath()), r.err());
        assertTrue(r.err().contains("they are in " + shapes.resolve("val").toAbsolutePath()), r.err());
    }

    @Test
    void trainWithAnOutputFolderThatCannotBeWrittenStopsAtOnceAndNamesIt() throws Exception {
        Path shapes = dir.resolve("shapes");
        assertEquals(0, CliRun.run("synth", "--out", shapes.toString(), "--images", "10", "--size", "64").exit());
        // a folder below a plain file cannot be created, whoever runs the test (root ignores permission bits)
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path out = file.resolve("run");
        CliRun r = CliRun.run("train", "--data", shapes.resolve("annotations/instances_train.json").toString(),
                "--images", shapes.resolve("train").toString(), "--out", out.toString(), "--size", "128");
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("error: --out: cannot write to " + out), r.err());
        assertTrue(r.millis() < 30_000, "took " + r.millis() + " ms");
    }
}
