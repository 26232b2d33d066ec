package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;

/** Real COCO val2014 ground truth and detections: the 12 statistics equal pycocotools' to 1e-6. */
class CocoEvaluatorSharedSampleTest {

    @Test
    void allTwelveStatisticsEqualPycocotools() throws IOException {
        Path dir = SharedData.cocoEvalSample();
        CocoGroundTruth gt = CocoGroundTruthReader.read(dir.resolve("instances.json"));
        CocoDetections dt = CocoResultsReader.read(dir.resolve("detections.json"), gt);
        assertStatsEqualExpected(dir, new CocoEvaluator().evaluate(gt, dt).stats());
    }

    /**
     * DetectionDataset keeps coordinates as floats; pycocotools given float32-rounded ground truth
     * (tools/make_coco_eval_fixtures.py) moves AP by 1.6e-4 on this sample, and the adapter reproduces exactly
     * that. This is why the CLI reads instances files with CocoGroundTruthReader (doubles).
     */
    @Test
    void groundTruthFromADetectionDatasetEqualsPycocotoolsOnFloat32GroundTruth() throws IOException {
        Path dir = SharedData.cocoEvalSample();
        DetectionDataset dataset = new CocoInstancesReader().read(dir.resolve("instances.json"), dir);
        CocoGroundTruth gt = CocoGroundTruth.fromDataset(dataset);
        CocoDetections dt = CocoResultsReader.read(dir.resolve("detections.json"), gt);
        Map<String, Double> actual = new CocoEvaluator().evaluate(gt, dt).stats().asMap();
        Map<String, Double> expected = CocoFixtures.expected("shared-sample-float32-gt").get("stats");
        expected.forEach((k, v) -> assertEquals(v, actual.get(k), 1e-9, k));
    }

    private static void assertStatsEqualExpected(Path dir, CocoStats stats) throws IOException {
        String expected = Files.readString(dir.resolve("expected-stats.json"));
        Map<String, Double> actual = stats.asMap();
        for (String name : CocoStats.NAMES) {
            Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*([-0-9.eE]+)").matcher(expected);
            if (!m.find()) {
                throw new AssertionError("expected-stats.json has no " + name);
            }
            assertEquals(Double.parseDouble(m.group(1)), actual.get(name), 1e-6, name);
        }
    }
}
