package org.retinanet4j.examples.focalloss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.retinanet4j.targets.GroundTruth;

class SimulatedDetectorTest {

    private static final float[] ANCHORS = {0, 0, 10, 10, /* the box itself */ 5, 0, 15, 10, /* IoU 1/3 */
            50, 50, 60, 60 /* no overlap */};
    private static final GroundTruth GT = new GroundTruth(new float[] {0, 0, 10, 10}, new int[] {1});

    @Test
    void logitRisesWithIouForTheBoxClassOnly() {
        double[] logits = new SimulatedDetector(-4, 6, 0, 1).logits(ANCHORS, GT, 2).toDoubleVector();
        // column a*K + k: class 1 of anchor 0 covers the box (IoU 1), anchor 1 a third of it, anchor 2 nothing
        assertArrayEquals(new double[] {-4, 2, -4, -4 + 6 / 3.0, -4, -4}, logits, 1e-6);
    }

    @Test
    void noiseIsSeeded() {
        double[] a = new SimulatedDetector(-4, 6, 1, 7).logits(ANCHORS, GT, 2).toDoubleVector();
        double[] b = new SimulatedDetector(-4, 6, 1, 7).logits(ANCHORS, GT, 2).toDoubleVector();
        double[] c = new SimulatedDetector(-4, 6, 1, 8).logits(ANCHORS, GT, 2).toDoubleVector();
        assertArrayEquals(a, b);
        assertNotEquals(a[0], c[0]);
        assertEquals(-4.59511985, SimulatedDetector.PRIOR_BIAS, 1e-8);
    }
}
