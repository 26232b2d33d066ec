package org.retinanet4j.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.spec.RetinaNetSpec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --anchor-sizes}: {@code train} builds, trains and saves the model with those anchors (the saved spec and
 * the loaded {@code Detector} carry them), {@code dataset-info --size} reports coverage for them, and sizes that
 * cannot be anchors are one clear line before any data is read.
 */
class AnchorSizesOptionTest {

    @TempDir
    static Path dir;
    private static ShapesDataset shapes;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaNetCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @BeforeAll
    static void makeData() throws Exception {
        shapes = new ShapesDatasetGenerator(new ShapesConfig(4, 1, 128, 16, 40, 2, 0.0, 0.0, 7))
                .generate(dir.resolve("shapes"));
    }

    @Test
    void trainSavesTheModelWithTheGivenAnchors() throws Exception {
        Path out = dir.resolve("run");
        Run r = run("train", "--data", shapes.trainAnnotations().toString(), "--images",
                shapes.trainImages().toString(), "--size", "128", "--max-iterations", "1", "--anchor-sizes",
                "8,16,32,64,128", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        AnchorConfig expected = AnchorConfig.torchvisionDefault().withBaseSizes(8, 16, 32, 64, 128);
        RetinaNetSpec saved = ModelBundle.load(out.resolve("model.zip")).metadata().spec();
        assertEquals(expected, saved.anchors(), "saved spec");
        assertEquals(expected, Detector.load(out.resolve("model.zip")).decoder().anchorGenerator().config(),
                "detector's decoder");
    }

    @Test
    void datasetInfoReportsCoverageForTheGivenAnchors() {
        String[] info = {"dataset-info", "--data", shapes.trainAnnotations().toString(), "--images",
                shapes.trainImages().toString(), "--size", "128"};
        Run defaults = run(info);
        Run small = run(concat(info, "--anchor-sizes", "8,16,32,64,128"));
        assertEquals(0, defaults.code(), defaults.err());
        assertEquals(0, small.code(), small.err());
        assertTrue(defaults.out().contains("baseSizes=[32, 64, 128, 256, 512]"), defaults.out());
        assertTrue(small.out().contains("baseSizes=[8, 16, 32, 64, 128]"), small.out());
        assertNotEquals(coverageLines(defaults.out()), coverageLines(small.out()),
                "objects of 16..40 px are reached differently by 8..128 px anchors than by 32..512 px ones");
    }

    @Test
    void sizesThatCannotBeAnchorsAreOneClearLine() {
        Path out = dir.resolve("bad");
        String[] train = {"train", "--data", shapes.trainAnnotations().toString(), "--images",
                shapes.trainImages().toString(), "--size", "128", "--max-iterations", "1", "--out", out.toString()};
        assertOneLineError(run(concat(train, "--anchor-sizes", "16,32,64")), "--anchor-sizes 16,32,64",
                "5 sizes are needed, one per level P3..P7 (got 3)");
        assertOneLineError(run(concat(train, "--anchor-sizes", "16,32,32,64,128")), "sizes must grow");
        assertOneLineError(run(concat(train, "--anchor-sizes", "0,16,32,64,128")), "--anchor-sizes 0,16,32,64,128");
        assertOneLineError(run(concat(train, "--anchor-sizes", "8,16,32,64,128", "--resume")),
                "--anchor-sizes sets the anchors of a new model", "--resume");
        assertOneLineError(run("dataset-info", "--data", shapes.trainAnnotations().toString(), "--anchor-sizes",
                "8,16,32,64,128"), "needs --size");
        assertFalse(Files.exists(out.resolve("model.zip")), "nothing trained");
    }

    private static String coverageLines(String out) {
        return out.substring(out.indexOf("no anchor at IoU"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void assertOneLineError(Run r, String... expected) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "'" + e + "' in: " + r.err());
        }
    }
}
