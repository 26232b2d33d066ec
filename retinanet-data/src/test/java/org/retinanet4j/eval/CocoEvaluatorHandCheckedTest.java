package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Cases small enough to work out by hand (the comments give the working); the same files feed the parity test. */
class CocoEvaluatorHandCheckedTest {
    private static final double TOL = 1e-12;

    @Test
    void thresholdsAreNumpyLinspaceBitForBit() {
        assertEquals(0.8999999999999999, CocoEvalParams.IOU_THRESHOLDS[8], 0.0);
        assertEquals(0.5700000000000001, CocoEvalParams.RECALL_THRESHOLDS[57], 0.0);
        assertEquals(0.95, CocoEvalParams.IOU_THRESHOLDS[9], 0.0);
        assertEquals(1.0, CocoEvalParams.RECALL_THRESHOLDS[100], 0.0);
    }

    @Test
    void detectionsInsideACrowdRegionAreIgnoredNotFalsePositives() {
        // the top-scoring detection and the third lie inside the crowd box (intersection over detection = 1):
        // both match it and are ignored, so the one real box is found at precision 1
        CocoStats s = CocoFixtures.evaluate("crowd").stats();
        assertEquals(1.0, s.ap(), TOL);
        assertEquals(1.0, s.ar100(), TOL);
        // with one detection per image, only the (ignored) crowd detection is kept: nothing is recalled
        assertEquals(0.0, s.ar1(), TOL);
        assertEquals(-1.0, s.apSmall(), 0.0); // no small ground truth at all
    }

    @Test
    void emptyImagesAndDetectionsOnImagesWithoutGroundTruth() {
        // a false positive (0.9) on image 3, which has no boxes, ranks above the true positive (0.8):
        // recall [0, 1], precision [0, 0.5] -> interpolated 0.5 at every recall threshold
        CocoStats s = CocoFixtures.evaluate("empty-images").stats();
        assertEquals(0.5, s.ap(), TOL);
        assertEquals(1.0, s.ar100(), TOL);
        // the false positive is 20x20 (small): outside the medium range and unmatched, so ignored there
        assertEquals(1.0, s.apMedium(), TOL);
    }

    @Test
    void onlyTheTop100DetectionsPerImageAndCategoryCount() {
        // category 1: the true positive is 100th by score -> precision 1/100 at recall 1 -> AP 0.01
        // category 2: it is 101st -> cut off -> AP 0
        CocoEvalResult r = CocoFixtures.evaluate("over-100");
        assertEquals(0.01, r.categoryAp(0), TOL);
        assertEquals(0.0, r.categoryAp(1), TOL);
        CocoStats s = r.stats();
        assertEquals(0.005, s.ap(), TOL);
        assertEquals(0.5, s.ar100(), TOL);
        assertEquals(0.0, s.ar10(), TOL);
    }

    @Test
    void duplicateDetectionsAreFalsePositives() {
        // three detections of box 1, box 2 missed: recall reaches 0.5 at precision 1 -> 51 of 101 thresholds
        CocoStats s = CocoFixtures.evaluate("duplicates").stats();
        assertEquals(51.0 / 101.0, s.ap(), TOL);
        assertEquals(0.5, s.ar100(), TOL);
    }

    @Test
    void nonContiguousCategoryIdsAreSortedAndUnknownOnesLeftOut() {
        CocoEvalResult r = CocoFixtures.evaluate("non-contiguous-ids");
        assertArrayEquals(new int[] {3, 17, 90},
                new int[] {r.categoryId(0), r.categoryId(1), r.categoryId(2)});
        assertEquals(-1.0, r.categoryAp(1), 0.0); // 17 has no ground truth
        assertNull(r.precisionRecallCurve(1, 0));
        // category 90: a false positive (0.9) above the true positive (0.5) -> 0.5 at every IoU
        assertEquals(0.5, r.categoryAp(2), TOL);
        // the detection of category 55 (score 0.99) does not exist for the evaluation
        assertEquals(3, r.numCategories());
    }

    @Test
    void areaRangeEndsAreInclusive() {
        // areas exactly 32^2 and 96^2 belong to two ranges each: every range has recall 1 at precision 1
        CocoStats s = CocoFixtures.evaluate("area-bounds").stats();
        assertEquals(1.0, s.apSmall(), TOL);
        assertEquals(1.0, s.apMedium(), TOL);
        assertEquals(1.0, s.apLarge(), TOL);
        assertEquals(1.0, s.arMedium(), TOL);
    }

    @Test
    void noDetectionsAtAllGiveZeroWhereThereIsGroundTruth() {
        CocoGroundTruth gt = CocoGroundTruth.builder().addImage(1).addCategory(1, "a")
                .addAnnotation(1, 1, 0, 0, 10, 10, 100, false).build();
        CocoStats s = new CocoEvaluator().evaluate(gt, new CocoDetections()).stats();
        assertEquals(0.0, s.ap(), 0.0);
        assertEquals(0.0, s.ar100(), 0.0);
        assertEquals(-1.0, s.apMedium(), 0.0);
    }
}
