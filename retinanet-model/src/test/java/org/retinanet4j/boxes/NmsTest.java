package org.retinanet4j.boxes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.retinanet4j.anchors.AnchorFixtures.floats;
import static org.retinanet4j.anchors.AnchorFixtures.ints;
import static org.retinanet4j.anchors.AnchorFixtures.map;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorFixtures;

/** NMS against torchvision's nms / batched_nms (fixtures/anchors/nms.json): clustered boxes, many tied scores. */
class NmsTest {

    private static final Map<String, Object> FIXTURE = AnchorFixtures.load("nms.json");

    @Test
    void nmsWithTiedScoresKeepsTorchvisionsIndicesInOrder() {
        Map<String, Object> tied = map(FIXTURE.get("tied"));
        float[] boxes = floats(tied.get("boxes"));
        float[] scores = floats(tied.get("scores"));
        int n = scores.length;
        assertArrayEquals(ints(tied.get("nmsKeep05")), Nms.nms(boxes, scores, n, 0.5));
        assertArrayEquals(ints(tied.get("nmsKeep03")), Nms.nms(boxes, scores, n, 0.3));
    }

    @Test
    void batchedNmsCoordinateTrickPathEqualsTorchvision() {
        Map<String, Object> tied = map(FIXTURE.get("tied"));
        float[] scores = floats(tied.get("scores"));
        assertArrayEquals(ints(tied.get("batchedKeep05")),
                Nms.batchedNms(floats(tied.get("boxes")), scores, ints(tied.get("labels")), scores.length, 0.5));
    }

    @Test
    void batchedNmsPerClassPathEqualsTorchvision() {
        Map<String, Object> large = map(FIXTURE.get("large"));
        float[] scores = floats(large.get("scores"));
        assertEquals(1500, scores.length);
        assertArrayEquals(ints(large.get("batchedKeep05")),
                Nms.batchedNms(floats(large.get("boxes")), scores, ints(large.get("labels")), scores.length, 0.5));
    }

    @Test
    void suppressesOnlyAboveThresholdAndKeepsLowerIndexOnTies() {
        // box 1 has IoU exactly 0.5 with box 0: kept at threshold 0.5 (suppression needs IoU > threshold)
        float[] boxes = {0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 10};
        float[] scores = {0.9f, 0.8f, 0.9f};
        assertArrayEquals(new int[] {0, 1}, Nms.nms(boxes, scores, 3, 0.5));
        assertArrayEquals(new int[] {0}, Nms.nms(boxes, scores, 3, 0.49));
        assertArrayEquals(new int[0], Nms.nms(boxes, scores, 0, 0.5));
    }

    @Test
    void nanScoresAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nms.nms(new float[] {0, 0, 1, 1}, new float[] {Float.NaN}, 1, 0.5));
        assertEquals(true, e.getMessage().contains("score 0"), e.getMessage());
    }
}
