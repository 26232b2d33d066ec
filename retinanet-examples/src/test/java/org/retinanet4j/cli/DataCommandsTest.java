package org.retinanet4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataCommandsTest {

    @TempDir
    Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = RetinaNetCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void datasetInfoCountsAShapesDataset() throws IOException {
        new ShapesDatasetGenerator(new ShapesConfig(4, 2, 128, 16, 48, 3, 0.1, 0.5, 1)).generate(tmp);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "dataset-info", "--coco", tmp.resolve("annotations/instances_train.json").toString(),
                "--images", tmp.resolve("train").toString()));
        assertTrue(out.toString().contains("4 images") && out.toString().contains("triangle"), out.toString());
    }

    @Test
    void datasetInfoReportsBadInputInOneLineWithExitTwo() throws IOException {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"images\": [\n{\"id\": 1,,}]}");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(2, run(out, err, "dataset-info", "--coco", bad.toString(), "--images", tmp.toString()));
        assertTrue(err.toString().contains("bad.json") && err.toString().contains("line 2"), err.toString());
    }
}
