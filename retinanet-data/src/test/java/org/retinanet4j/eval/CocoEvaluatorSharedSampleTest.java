package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Real COCO val2014 ground truth and detections: the 12 statistics equal pycocotools' to 1e-6. */
class CocoEvaluatorSharedSampleTest {

    @Test
    void allTwelveStatisticsEqualPycocotools() throws IOException {
        Path dir = SharedData.cocoEvalSample();
        CocoGroundTruth gt = CocoGroundTruthReader.read(dir.resolve("instances.json"));
        CocoDetections dt = CocoResultsReader.read(dir.resolve("detections.json"), gt);
        CocoStats stats = new CocoEvaluator().evaluate(gt, dt).stats();

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
