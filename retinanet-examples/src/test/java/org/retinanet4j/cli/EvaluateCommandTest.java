package org.retinanet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code retinanet evaluate} run in-process: exit codes, table, JSON and plots. */
class EvaluateCommandTest {
    private static final String GT = "{\"images\":[{\"id\":1,\"file_name\":\"1.jpg\",\"width\":640,\"height\":480},"
            + "{\"id\":2,\"file_name\":\"2.jpg\",\"width\":640,\"height\":480}],"
            + "\"categories\":[{\"id\":3,\"name\":\"cat\"},{\"id\":8,\"name\":\"dog\"}],\"annotations\":["
            + "{\"id\":1,\"image_id\":1,\"category_id\":3,\"bbox\":[10,10,50,50],\"area\":2500,\"iscrowd\":0},"
            + "{\"id\":2,\"image_id\":2,\"category_id\":3,\"bbox\":[100,100,40,40],\"area\":1600,\"iscrowd\":0}]}";
    // image 2's box is missed, a false positive (0.9) outranks the hit (0.8): recall 0.5 at precision 0.5
    private static final String DT = "[{\"image_id\":2,\"category_id\":3,\"bbox\":[0,0,30,40],\"score\":0.9},"
            + "{\"image_id\":1,\"category_id\":3,\"bbox\":[10,10,50,50],\"score\":0.8}]";

    @TempDir
    Path dir;


    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static double field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), "no " + name + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void printsPycocotoolsTableAndPerCategoryAp() throws IOException {
        CliRun r = CliRun.run("evaluate", "--annotations", write("gt.json", GT).toString(),
                "--detections", write("dt.json", DT).toString());
        assertEquals(0, r.exit(), r.err());
        // 51 recall thresholds up to 0.5 at precision 0.5: AP = 0.5 * 51/101 = 0.252
        assertTrue(r.out().contains(
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.252"), r.out());
        assertTrue(r.out().contains(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500"),
                r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+8  dog\\s+no gt.*"), r.out());
    }

    @Test
    void jsonHasTheTwelveNamedStatistics() throws IOException {
        Path plots = dir.resolve("plots");
        CliRun r = CliRun.run("evaluate", "--annotations", write("gt.json", GT).toString(),
                "--detections", write("dt.json", DT).toString(), "--json", "--plot", plots.toString());
        assertEquals(0, r.exit(), r.err());
        String json = r.out().trim();
        assertEquals(0.5 * 51 / 101, field(json, "AP"), 1e-12);
        assertEquals(0.5, field(json, "AR100"), 1e-12);
        assertEquals(-1.0, field(json, "APl"), 0.0);
        for (String name : new String[] {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs",
                "ARm", "ARl"}) {
            field(json, name);
        }
        assertTrue(Files.isRegularFile(plots.resolve("pr-3-cat.png")));
        assertTrue(Files.notExists(plots.resolve("pr-8-dog.png"))); // no ground truth, no curve
    }

    @Test
    void vocMapOnRequest() throws IOException {
        Path gt = write("gt.json", GT);
        Path dt = write("dt.json", DT);
        // VOC: FP then TP, 1 of 2 boxes: recall .5 at precision .5; 11-point: 6 points x 0.5 / 11; all-point 0.25
        CliRun r = CliRun.run("evaluate", "--annotations", gt.toString(), "--detections", dt.toString(), "--voc", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(3.0 / 11.0, field(r.out(), "VOC07_mAP"), 1e-12);
        assertEquals(0.25, field(r.out(), "VOC_mAP"), 1e-12);
        CliRun table = CliRun.run("evaluate", "--annotations", gt.toString(), "--detections", dt.toString(), "--voc");
        assertTrue(table.out().contains("Pascal VOC mAP @[ IoU=0.50 ] = 0.2727 (11-point, VOC2007), 0.2500"),
                table.out());
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws IOException {
        Path gt = write("gt.json", GT);
        CliRun notArray = CliRun.run("evaluate", "--annotations", gt.toString(), "--detections",
                write("obj.json", "{\"x\":1}").toString());
        assertEquals(2, notArray.exit());
        assertTrue(notArray.err().startsWith("error: ") && notArray.err().contains("JSON array"), notArray.err());
        assertEquals(1, notArray.err().strip().lines().count(), notArray.err());

        CliRun unknownImage = CliRun.run("evaluate", "--annotations", gt.toString(), "--detections",
                write("bad.json", "[{\"image_id\":5,\"category_id\":3,\"bbox\":[0,0,1,1],\"score\":0.5}]")
                        .toString());
        assertEquals(2, unknownImage.exit());
        assertTrue(unknownImage.err().contains("detection #0 field 'image_id' is 5"), unknownImage.err());

        CliRun missing = CliRun.run("evaluate", "--annotations", gt.toString(), "--detections", dir.resolve("nope.json")
                .toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());

        // ground truth goes through the data module's CocoInstancesReader: its errors name file, record, field
        Path badGt = write("bad-gt.json", GT.replace("\"category_id\":3,\"bbox\":[100",
                "\"category_id\":4,\"bbox\":[100"));
        CliRun unknownCategory = CliRun.run("evaluate", "--annotations", badGt.toString(), "--detections",
                write("dt.json", DT).toString());
        assertEquals(2, unknownCategory.exit());
        assertTrue(unknownCategory.err().contains("bad-gt.json") && unknownCategory.err().contains(
                "annotation id 2 (annotations record #1): field category_id 4 is not in categories"),
                unknownCategory.err());

        assertEquals(2, CliRun.run("evaluate", "--annotations", gt.toString()).exit()); // no detections given
        assertEquals(2, CliRun.run("evaluate", "--detections", gt.toString()).exit()); // usage: --annotations missing
    }

    @Test
    void sharedCocoSampleGivesPycocotoolsNumbersAsJson() throws IOException {
        String shared = System.getProperty("retinanet.shared.dir");
        Path sample = shared == null ? null : Path.of(shared, "data", "coco-eval-sample");
        assumeTrue(sample != null && Files.isDirectory(sample),
                "shared data ../shared/data/coco-eval-sample is absent; skipping");
        CliRun r = CliRun.run("evaluate", "--annotations", sample.resolve("instances.json").toString(),
                "--detections", sample.resolve("detections.json").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        String expected = Files.readString(sample.resolve("expected-stats.json")).replaceAll("\\s", "");
        for (String name : new String[] {"AP", "AP50", "AR1", "ARl"}) {
            assertEquals(field(expected, name), field(r.out(), name), 1e-6, name);
        }
    }
}
