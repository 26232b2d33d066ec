package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.OutOfImagePolicy;
import org.retinanet4j.data.voc.VocCoordinates;
import org.retinanet4j.data.voc.VocReader;

/**
 * Real VOC2012 boxes (with difficult objects) through the data module's VocReader, against an independent
 * implementation: py-faster-rcnn's {@code voc_eval.py} (the Python port of the VOC devkit's evaluation; checkout
 * 781a917b), run by {@code tools/voc_eval_reference.py} on the same sample and the same 549 detections (jittered
 * copies of the boxes, some twice, and false positives; fixtures/voc-reference/). Both AP definitions, per class
 * and mAP, to double rounding. Also: the devkit convention on boxes as written (+1 pixel widths) gives the same AP
 * as continuous IoU on pixel-edge boxes.
 */
class VocEvaluatorSharedSampleTest {
    private static final String FIXTURE = "/fixtures/voc-reference/";

    @Test
    void apAndMapAreThoseOfPyFasterRcnnVocEval() throws IOException {
        DetectionDataset written = read(VocCoordinates.AS_WRITTEN);
        int difficult = 0;
        for (int b = 0; b < written.numBoxes(); b++) {
            difficult += written.isDifficult(b) ? 1 : 0;
        }
        assertTrue(difficult > 0, "the sample has difficult objects");
        CocoDetections dt = detections(written, false);
        Map<String, Map<String, Double>> expected = expected();
        CategoryMap categories = written.categories();
        for (VocEvaluator.Metric metric : VocEvaluator.Metric.values()) {
            VocEvaluator.Result r = new VocEvaluator(metric, true).evaluate(VocGroundTruth.fromDataset(written), dt);
            Map<String, Double> want = expected.get(metric.name());
            assertNotNull(want, metric + " in the fixture");
            assertEquals(want.get("map"), r.map(), 1e-12, metric + " mAP");
            int classes = 0;
            for (Map.Entry<String, Double> e : want.entrySet()) {
                if (e.getKey().equals("map")) {
                    continue;
                }
                int id = (int) categories.categoryId(categories.indexOfName(e.getKey()));
                Double ap = r.apPerClass().get(id);
                assertNotNull(ap, metric + " class " + e.getKey() + " evaluated");
                if (e.getValue() == null) {
                    assertTrue(ap.isNaN(), metric + " class " + e.getKey() + ": no non-difficult box, AP " + ap);
                } else {
                    assertEquals(e.getValue(), ap, 1e-12, metric + " class " + e.getKey());
                }
                classes++;
            }
            assertEquals(classes, r.apPerClass().size(), metric + ": the same classes are evaluated");
        }
    }

    @Test
    void devkitPixelConventionEqualsContinuousIouOnPixelEdges() throws IOException {
        DetectionDataset written = read(VocCoordinates.AS_WRITTEN);
        DetectionDataset edges = read(VocCoordinates.PIXEL_EDGES);
        CocoDetections dtWritten = detections(written, false);
        CocoDetections dtEdges = detections(written, true);
        for (VocEvaluator.Metric metric : VocEvaluator.Metric.values()) {
            VocEvaluator.Result devkit = new VocEvaluator(metric, true)
                    .evaluate(VocGroundTruth.fromDataset(written), dtWritten);
            VocEvaluator.Result continuous = new VocEvaluator(metric, false)
                    .evaluate(VocGroundTruth.fromDataset(edges), dtEdges);
            assertEquals(devkit.apPerClass().keySet(), continuous.apPerClass().keySet());
            devkit.apPerClass().forEach((c, ap) -> assertEquals(ap, continuous.apPerClass().get(c), 1e-12,
                    metric + " class " + c));
        }
    }

    private static DetectionDataset read(VocCoordinates coordinates) throws IOException {
        String shared = System.getProperty("retinanet.shared.dir");
        Path root = shared == null ? null : Path.of(shared, "data", "voc2012-sample");
        assumeTrue(root != null && Files.isDirectory(root.resolve("Annotations")),
                "shared data ../shared/data/voc2012-sample is absent; skipping");
        return new VocReader(VocReader.VOC_CLASSES, true, coordinates, OutOfImagePolicy.CLIP).read(root, null);
    }

    /**
     * The fixture's detections (devkit pixel corners {@code xmin ymin xmax ymax}) as COCO boxes: as written
     * ({@code x = xmin, w = xmax - xmin}) or, with {@code pixelEdges}, on pixel edges
     * ({@code x = xmin - 1, w = xmax - xmin + 1}).
     */
    private static CocoDetections detections(DetectionDataset dataset, boolean pixelEdges) throws IOException {
        Map<String, Long> ids = new HashMap<>();
        for (int i = 0; i < dataset.numImages(); i++) {
            String file = dataset.fileName(i);
            ids.put(file.substring(0, file.lastIndexOf('.')), dataset.imageId(i));
        }
        CategoryMap categories = dataset.categories();
        CocoDetections out = new CocoDetections();
        try (InputStream in = VocEvaluatorSharedSampleTest.class.getResourceAsStream(FIXTURE + "detections.txt")) {
            assertNotNull(in, FIXTURE + "detections.txt (tools/voc_eval_reference.py writes it)");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.trim().split(" ");
                Long image = ids.get(f[0]);
                assertNotNull(image, "image " + f[0] + " of the fixture is in the sample");
                int category = (int) categories.categoryId(categories.indexOfName(f[1]));
                double x1 = Double.parseDouble(f[3]);
                double y1 = Double.parseDouble(f[4]);
                double x2 = Double.parseDouble(f[5]);
                double y2 = Double.parseDouble(f[6]);
                double shift = pixelEdges ? 1 : 0;
                out.add(image, category, x1 - shift, y1 - shift, x2 - x1 + shift, y2 - y1 + shift,
                        Double.parseDouble(f[2]));
            }
        }
        assertEquals(549, out.size(), "detections in the fixture");
        return out;
    }

    /** expected.json: metric name to {"map": mAP, class name: AP or null}. */
    private static Map<String, Map<String, Double>> expected() throws IOException {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        try (InputStream in = VocEvaluatorSharedSampleTest.class.getResourceAsStream(FIXTURE + "expected.json");
             JsonParser p = new JsonFactory().createParser(in)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    continue;   // reference, images, detections
                }
                Map<String, Double> values = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    if (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String cls = p.currentName();
                            values.put(cls, p.nextToken() == JsonToken.VALUE_NULL ? null : p.getDoubleValue());
                        }
                    } else {
                        values.put(key, p.getDoubleValue());
                    }
                }
                out.put(field, values);
            }
        }
        return out;
    }
}
