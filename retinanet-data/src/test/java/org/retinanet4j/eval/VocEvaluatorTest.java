package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.retinanet4j.eval.VocEvaluator.Metric;

/** Pascal VOC AP on cases worked out by hand (working in the comments). */
class VocEvaluatorTest {

    /**
     * Class 1: image 1 box A, image 2 box B and a difficult box C. Detections by score: A (TP), A again (FP,
     * duplicate), C (difficult: neither), B (TP), nowhere (FP). npos = 2 -> recall .5 .5 .5 1 1, precision
     * 1 .5 .5 2/3 .5.
     */
    private static VocEvaluator.Result run(Metric metric) {
        VocGroundTruth gt = new VocGroundTruth()
                .add(1, 1, 10, 10, 50, 50, false)
                .add(2, 1, 100, 100, 140, 140, false)
                .add(2, 1, 0, 0, 30, 30, true);
        CocoDetections dt = new CocoDetections()
                .add(1, 1, 10, 10, 40, 40, 0.9)
                .add(1, 1, 10, 10, 40, 40, 0.8)
                .add(2, 1, 0, 0, 30, 30, 0.7)
                .add(2, 1, 100, 100, 40, 40, 0.6)
                .add(1, 1, 300, 300, 10, 10, 0.5);
        return new VocEvaluator(metric, true).evaluate(gt, dt);
    }

    @Test
    void elevenPointVoc2007() {
        // recall points 0..0.5 (6 of them): best precision 1; 0.6..1.0 (5): 2/3 -> (6 + 5 * 2/3) / 11 = 28/33
        VocEvaluator.Result r = run(Metric.VOC2007_11_POINT);
        assertEquals(28.0 / 33.0, r.apPerClass().get(1), 1e-12);
        assertEquals(28.0 / 33.0, r.map(), 1e-12);
    }

    @Test
    void allPointVoc2010() {
        // envelope: precision 1 up to recall .5, then 2/3 up to 1 -> .5 * 1 + .5 * 2/3 = 5/6
        assertEquals(5.0 / 6.0, run(Metric.VOC2010_ALL_POINT).map(), 1e-12);
    }

    @Test
    void elevenPointUsesVocEvalsArangeValues() {
        // 10 boxes, 3 found at precision 1: recall 0.3 < 0.30000000000000004, so only 0, .1, .2 count: 3/11
        VocGroundTruth gt = new VocGroundTruth();
        CocoDetections dt = new CocoDetections();
        for (int i = 0; i < 10; i++) {
            gt.add(i, 7, 0, 0, 10, 10, false);
            if (i < 3) {
                dt.add(i, 7, 0, 0, 10, 10, 0.9 - i * 0.1);
            }
        }
        assertEquals(3.0 / 11.0, new VocEvaluator(Metric.VOC2007_11_POINT, true).evaluate(gt, dt).map(), 1e-12);
        assertEquals(0.3, new VocEvaluator(Metric.VOC2010_ALL_POINT, true).evaluate(gt, dt).map(), 1e-12);
    }

    @Test
    void pixelInclusiveIouAsInTheDevkit() {
        // box [0,0,2,2] vs detection corners [0,0,2,1]: with +1 pixels IoU = 6/9 (hit); continuous 2/4 (miss)
        VocGroundTruth gt = new VocGroundTruth().add(1, 1, 0, 0, 2, 2, false);
        CocoDetections dt = new CocoDetections().add(1, 1, 0, 0, 2, 1, 0.9);
        assertEquals(1.0, new VocEvaluator(Metric.VOC2010_ALL_POINT, true).evaluate(gt, dt).map(), 1e-12);
        assertEquals(0.0, new VocEvaluator(Metric.VOC2010_ALL_POINT, false).evaluate(gt, dt).map(), 1e-12);
    }

    @Test
    void classesWithOnlyDifficultBoxesDoNotCountInTheMean() {
        VocGroundTruth gt = new VocGroundTruth().add(1, 1, 0, 0, 10, 10, false).add(1, 2, 0, 0, 10, 10, true);
        CocoDetections dt = new CocoDetections().add(1, 1, 0, 0, 10, 10, 0.9).add(1, 2, 0, 0, 10, 10, 0.9);
        VocEvaluator.Result r = new VocEvaluator(Metric.VOC2010_ALL_POINT, true).evaluate(gt, dt);
        assertTrue(Double.isNaN(r.apPerClass().get(2)));
        assertEquals(1.0, r.map(), 1e-12);
    }
}
