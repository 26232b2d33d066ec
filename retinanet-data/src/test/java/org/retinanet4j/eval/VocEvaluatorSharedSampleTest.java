package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.OutOfImagePolicy;
import org.retinanet4j.data.voc.VocCoordinates;
import org.retinanet4j.data.voc.VocReader;

/**
 * Real VOC2012 boxes (with difficult objects) through the data module's VocReader: the devkit convention on boxes
 * as written (+1 pixel widths) gives exactly the same AP as continuous IoU on pixel-edge boxes.
 */
class VocEvaluatorSharedSampleTest {

    @Test
    void devkitPixelConventionEqualsContinuousIouOnPixelEdges() throws IOException {
        String shared = System.getProperty("retinanet.shared.dir");
        Path root = shared == null ? null : Path.of(shared, "data", "voc2012-sample");
        assumeTrue(root != null && Files.isDirectory(root.resolve("Annotations")),
                "shared data ../shared/data/voc2012-sample is absent; skipping");
        DetectionDataset written = new VocReader(VocReader.VOC_CLASSES, true, VocCoordinates.AS_WRITTEN,
                OutOfImagePolicy.CLIP).read(root, null);
        DetectionDataset edges = new VocReader(VocReader.VOC_CLASSES, true, VocCoordinates.PIXEL_EDGES,
                OutOfImagePolicy.CLIP).read(root, null);
        int difficult = 0;
        for (int b = 0; b < written.numBoxes(); b++) {
            difficult += written.isDifficult(b) ? 1 : 0;
        }
        assertTrue(difficult > 0, "the sample has difficult objects");

        // detections: jittered copies of the boxes (integer pixels, sometimes twice), plus random false positives
        CocoDetections dtWritten = new CocoDetections();
        CocoDetections dtEdges = new CocoDetections();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < written.numImages(); i++) {
            for (int b = written.firstBox(i), end = b + written.numBoxes(i); b < end; b++) {
                int copies = rnd.nextInt(3);
                for (int c = 0; c < copies; c++) {
                    double x1 = written.box(b, 0) + rnd.nextInt(-12, 13);
                    double y1 = written.box(b, 1) + rnd.nextInt(-12, 13);
                    double x2 = Math.max(x1, written.box(b, 2) + rnd.nextInt(-12, 13));
                    double y2 = Math.max(y1, written.box(b, 3) + rnd.nextInt(-12, 13));
                    add(dtWritten, dtEdges, written.imageId(i), (int) written.categoryId(b), x1, y1, x2, y2,
                            rnd.nextDouble());
                }
            }
            for (int f = 0; f < 3; f++) {
                double x1 = rnd.nextInt(200);
                double y1 = rnd.nextInt(200);
                add(dtWritten, dtEdges, written.imageId(i), (int) written.categoryId(rnd.nextInt(written.numBoxes())),
                        x1, y1, x1 + 20 + rnd.nextInt(100), y1 + 20 + rnd.nextInt(100), rnd.nextDouble());
            }
        }
        for (VocEvaluator.Metric metric : VocEvaluator.Metric.values()) {
            VocEvaluator.Result devkit = new VocEvaluator(metric, true)
                    .evaluate(VocGroundTruth.fromDataset(written), dtWritten);
            VocEvaluator.Result continuous = new VocEvaluator(metric, false)
                    .evaluate(VocGroundTruth.fromDataset(edges), dtEdges);
            assertTrue(devkit.map() > 0.2 && devkit.map() < 0.9, metric + " mAP " + devkit.map());
            assertEquals(devkit.apPerClass().keySet(), continuous.apPerClass().keySet());
            devkit.apPerClass().forEach((c, ap) -> assertEquals(ap, continuous.apPerClass().get(c), 1e-12,
                    metric + " class " + c));
        }
    }

    private static void add(CocoDetections written, CocoDetections edges, long image, int cls, double x1, double y1,
                            double x2, double y2, double score) {
        written.add(image, cls, x1, y1, x2 - x1, y2 - y1, score);
        edges.add(image, cls, x1 - 1, y1 - 1, x2 - x1 + 1, y2 - y1 + 1, score);
    }
}
