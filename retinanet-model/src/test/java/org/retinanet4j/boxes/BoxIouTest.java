package org.retinanet4j.boxes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.retinanet4j.anchors.AnchorFixtures.floats;
import static org.retinanet4j.anchors.AnchorFixtures.ints;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorFixtures;

/**
 * The shared IoU kernel against torchvision's {@code box_iou} (fixtures/anchors/box_iou.json: random float32
 * corners, duplicated, touching, nested and zero-area boxes, IoUs stored as float32 bit patterns).
 */
class BoxIouTest {

    private static final Map<String, Object> FIXTURE = AnchorFixtures.load("box_iou.json");
    private static final float[] A = floats(FIXTURE.get("a"));
    private static final float[] B = floats(FIXTURE.get("b"));
    private static final int[] BITS = ints(FIXTURE.get("iouBits"));

    @Test
    void matrixEqualsTorchvisionBoxIouValueForValue() {
        float[] iou = BoxIou.matrix(A, B);
        int m = B.length / 4;
        assertEquals(BITS.length, iou.length);
        for (int k = 0; k < iou.length; k++) {
            float expected = Float.intBitsToFloat(BITS[k]);
            // == makes -0 equal 0 (their order is the same for every comparison); NaN must be NaN
            assertTrue(expected == iou[k] || Float.isNaN(expected) && Float.isNaN(iou[k]),
                    "box " + k / m + " of a vs box " + k % m + " of b: torchvision " + expected + ", got " + iou[k]);
            assertEquals(iou[k], BoxIou.iou(A, k / m, B, k % m), 0f, "pairwise iou equals the matrix entry " + k);
        }
        // fixture premise: it exercises exact ties at 1, separate pairs and torchvision's 0 / 0
        assertTrue(((Number) FIXTURE.get("nans")).intValue() > 0 && ((Number) FIXTURE.get("zeros")).intValue() > 0);
    }

    @Test
    void overlapIsTrueExactlyWhereTorchvisionsIouIsPositive() {
        int m = B.length / 4;
        for (int k = 0; k < BITS.length; k++) {
            int p = (k / m) * 4;
            int q = (k % m) * 4;
            boolean overlap = BoxIou.overlap(A[p], A[p + 1], A[p + 2], A[p + 3], B[q], B[q + 1], B[q + 2], B[q + 3]);
            assertEquals(Float.intBitsToFloat(BITS[k]) > 0f, overlap, "pair " + k);
        }
    }

    @Test
    void doubleIntersectionFollowsPycocotoolsAndTheVocPixelConvention() {
        // continuous coordinates (pycocotools' bbIou): 4 x 4 overlap; touching boxes share nothing
        assertEquals(16.0, BoxIou.intersection(0, 0, 9, 9, 5, 5, 14, 14, 0), 0.0);
        assertEquals(0.0, BoxIou.intersection(0, 0, 9, 9, 9, 0, 18, 9, 0), 0.0);
        // VOC devkit, inclusive integer pixels: widths x2 - x1 + 1, so touching boxes share a pixel column
        assertEquals(25.0, BoxIou.intersection(0, 0, 9, 9, 5, 5, 14, 14, 1), 0.0);
        assertEquals(10.0, BoxIou.intersection(0, 0, 9, 9, 9, 0, 18, 9, 1), 0.0);
        assertEquals(0.0, BoxIou.intersection(0, 0, 9, 9, 11, 0, 18, 9, 1), 0.0);
        // fractional coordinates keep double precision
        assertEquals((0.3 - 0.1) * (0.7 - 0.2), BoxIou.intersection(0.1, 0.2, 0.3, 0.7, 0.0, 0.0, 1.0, 1.0, 0), 0.0);
    }
}
