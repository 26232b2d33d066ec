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

    /** The CLI's path: {@link CocoGroundTruth#readCocoInstances}. */
    @Test
    void allTwelveStatisticsEqualPycocotools() throws IOException {
        Path dir = SharedData.cocoEvalSample();
        CocoGroundTruth gt = CocoGroundTruth.readCocoInstances(dir.resolve("instances.json"));
        CocoDetections dt = CocoResultsReader.read(dir.resolve("detections.json"), gt);
        assertStatsEqualExpected(dir, new CocoEvaluator().evaluate(gt, dt).stats());
    }

    /**
     * The data pipeline's dataset, adapted: it keeps raw boxes and areas as the file's doubles, so the statistics
     * are pycocotools' own (when it stored them as float32, AP moved from 0.503647 to 0.503487, which the 1e-6
     * tolerance rejects).
     */
    @Test
    void theDatasetPathGivesPycocotoolsStatistics() throws IOException {
        Path dir = SharedData.cocoEvalSample();
        DetectionDataset dataset = new CocoInstancesReader().read(dir.resolve("instances.json"), dir);
        CocoGroundTruth gt = CocoGroundTruth.fromDataset(dataset);
        assertEquals(dataset.numBoxes(), gt.numAnnotations());
        CocoDetections dt = CocoResultsReader.read(dir.resolve("detections.json"), gt);
        assertStatsEqualExpected(dir, new CocoEvaluator().evaluate(gt, dt).stats());
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
