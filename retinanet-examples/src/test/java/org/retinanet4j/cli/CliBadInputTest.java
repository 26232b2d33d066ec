package org.retinanet4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to the train/detect/synth/evaluate/demo commands ends in exit code 2 and one explanatory line. */
class CliBadInputTest {
    @TempDir
    Path dir;


    private void assertOneLineError(CliRun r, String expected) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), r.err());
    }

    @Test
    void detectWithAMissingModel() {
        assertOneLineError(CliRun.run("detect", "--model", dir.resolve("nope.zip").toString(), "x.png"), "no such file");
    }

    @Test
    void detectWithAModelFileFromSomethingElse() throws Exception {
        Path fake = Files.writeString(dir.resolve("model.zip"), "not a model at all");
        Path img = Files.writeString(dir.resolve("a.png"), "x");
        assertOneLineError(CliRun.run("detect", "--model", fake.toString(), img.toString()), "not a RetinaNet4j model");
    }

    @Test
    void detectWithAMissingImage() throws Exception {
        Path fake = Files.writeString(dir.resolve("model.zip"), "x");
        assertOneLineError(CliRun.run("detect", "--model", fake.toString(), dir.resolve("missing.jpg").toString()),
                "missing.jpg");
    }

    @Test
    void trainWithAnUnknownFormat() throws Exception {
        Path ann = Files.writeString(dir.resolve("labels.txt"), "x");
        assertOneLineError(CliRun.run("train", "--train", ann.toString(), "--out", dir.resolve("o").toString()),
                "cannot tell the format");
        assertOneLineError(CliRun.run("train", "--train", ann.toString(), "--format", "yolo", "--out",
                dir.resolve("o").toString()), "unknown format 'yolo'");
    }

    @Test
    void aScheduleFittedToMinutesNeedsMinutesAndOneDevice() {
        String ann = dir.resolve("none.json").toString();
        String out = dir.resolve("o").toString();
        assertOneLineError(CliRun.run("train", "--train", ann, "--out", out, "--fit-schedule-to-minutes"),
                "--fit-schedule-to-minutes needs --minutes");
        assertOneLineError(CliRun.run("train", "--train", ann, "--out", out, "--minutes", "5", "--workers", "2",
                "--fit-schedule-to-minutes"), "one device");
    }

    @Test
    void trainWithAMissingAnnotationsFile() {
        assertOneLineError(CliRun.run("train", "--train", dir.resolve("none.json").toString(), "--out",
                dir.resolve("o").toString()), "none.json");
    }

    @Test
    void trainCsvWithAWrongClassFileOrAMissingImage() throws Exception {
        Path csv = Files.writeString(dir.resolve("train.csv"), "img.png,1,1,5,5,cat\n");
        // without --classes the classes come from the annotations; the image is missing
        assertOneLineError(CliRun.run("train", "--data", csv.toString(), "--out", dir.resolve("o").toString()), "img.png");
        Path classes = Files.writeString(dir.resolve("classes.txt"), "cat\ndog\ncat\n");
        assertOneLineError(CliRun.run("train", "--data", csv.toString(), "--classes", classes.toString(), "--out",
                dir.resolve("o").toString()), "classes.txt: class 'cat' is listed twice");
        assertOneLineError(CliRun.run("train", "--data", csv.toString(), "--classes", "nope/classes.txt", "--out",
                dir.resolve("o").toString()), "--classes: no such file nope/classes.txt");
    }

    @Test
    void aCocoValidationCategoryTheTrainingDataLacksIsAnError() throws Exception {
        Files.createDirectories(dir.resolve("img"));
        String image = "{\"id\": 1, \"file_name\": \"a.png\", \"width\": 64, \"height\": 64}";
        Path train = Files.writeString(dir.resolve("train.json"), "{\"images\": [" + image + "], \"annotations\": "
                + "[{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 1, 9, 9], \"area\": 81, "
                + "\"iscrowd\": 0}], \"categories\": [{\"id\": 1, \"name\": \"cat\"}]}");
        Path val = Files.writeString(dir.resolve("val.json"), "{\"images\": [" + image + "], \"annotations\": "
                + "[{\"id\": 1, \"image_id\": 1, \"category_id\": 5, \"bbox\": [1, 1, 9, 9], \"area\": 81, "
                + "\"iscrowd\": 0}], \"categories\": [{\"id\": 5, \"name\": \"zebra\"}]}");
        assertOneLineError(CliRun.run("train", "--data", train.toString(), "--images", dir.resolve("img").toString(),
                "--val", val.toString(), "--val-images", dir.resolve("img").toString(), "--out",
                dir.resolve("o").toString()), "val.json: category 'zebra' (id 5) is not one of the classes of the "
                + "training data (cat)");
    }

    @Test
    void anOutputFolderThatIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("out"), "x");
        CliRun.run("synth", "--out", file.toString()).assertOneLineError("is a file");
        CliRun.run("demo", "--out", file.toString()).assertOneLineError("is a file");
    }

    @Test
    void evaluateWithAModelFromSomethingElse() throws Exception {
        Path fake = Files.writeString(dir.resolve("m.zip"), "x");
        Path gt = Files.writeString(dir.resolve("gt.json"), "{\"images\":[],\"annotations\":[],\"categories\":"
                + "[{\"id\":1,\"name\":\"a\"}]}");
        assertOneLineError(CliRun.run("evaluate", "--model", fake.toString(), "--annotations", gt.toString()),
                "not a RetinaNet4j model");
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[]{"demo", "train", "detect", "synth", "evaluate", "dataset-info",
                "import-torchvision"}) {
            CliRun r = CliRun.run(c, "--help");
            assertEquals(0, r.exit(), c);
            assertTrue(r.out().contains("Usage: retinanet " + c), r.out());
        }
    }
}
