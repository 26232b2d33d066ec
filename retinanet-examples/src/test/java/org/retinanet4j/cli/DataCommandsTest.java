package org.retinanet4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void generateShapesThenDatasetInfo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "generate-shapes", "--out", tmp.toString(), "--train", "4", "--val", "2",
                "--size", "128", "--min-object", "16", "--max-object", "48"));
        assertTrue(Files.isRegularFile(tmp.resolve("annotations/instances_val.json")));
        out.getBuffer().setLength(0);
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
