package org.retinanet4j.targets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.retinanet4j.anchors.AnchorFixtures.floats;
import static org.retinanet4j.anchors.AnchorFixtures.ints;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;

/** Targets from torchvision's matches and BoxCoder encodings (fixtures/anchors/matcher.json), plus bad input. */
class TargetBuilderTest {

    private static final int K = 5;
    private static final float NOT_POSITIVE = org.retinanet4j.loss.BoxRegressionLoss.NOT_POSITIVE;
    private final AnchorGenerator generator = new AnchorGenerator(AnchorConfig.torchvisionDefault());
    private final TargetBuilder builder = new TargetBuilder(generator, K);

    @Test
    void batchTargetsEncodeTorchvisionMatchesAndRegressionTargets() {
        List<String> names = List.of("random", "empty", "tiny");
        List<GroundTruth> batch = names.stream().map(n -> {
            Map<String, Object> kase = AnchorMatcherTest.fixtureCase(n);
            return new GroundTruth(floats(kase.get("boxes")), ints(kase.get("labels")));
        }).toList();
        RetinaNetTargets targets = builder.build(batch, AnchorMatcherTest.HEIGHT, AnchorMatcherTest.WIDTH);
        int numAnchors = generator.numAnchors(AnchorMatcherTest.HEIGHT, AnchorMatcherTest.WIDTH);
        assertArrayEquals(new long[] {3, (long) numAnchors * K}, targets.classTargets().shape());
        assertArrayEquals(new long[] {3, numAnchors * 4L}, targets.boxTargets().shape());

        for (int i = 0; i < names.size(); i++) {
            Map<String, Object> kase = AnchorMatcherTest.fixtureCase(names.get(i));
            int[] matches = AnchorMatcherTest.expectedMatches(kase);
            int[] labels = ints(kase.get("labels"));
            float[] encoded = floats(kase.get("encodedPositives"));
            float[] cls = targets.classTargets().getRow(i).toFloatVector();
            float[] box = targets.boxTargets().getRow(i).toFloatVector();
            int positive = 0;
            for (int a = 0; a < numAnchors; a++) {
                for (int k = 0; k < K; k++) {
                    float expected = matches[a] == AnchorMatcher.IGNORED ? -1f
                            : (matches[a] >= 0 && labels[matches[a]] == k ? 1f : 0f);
                    assertEquals(expected, cls[a * K + k], names.get(i) + " anchor " + a + " class " + k);
                }
                for (int j = 0; j < 4; j++) {
                    if (matches[a] >= 0) {
                        assertEquals(encoded[positive * 4 + j], box[a * 4 + j], 1e-6,
                                names.get(i) + " anchor " + a + " coordinate " + j);
                    } else {
                        assertEquals(NOT_POSITIVE, box[a * 4 + j], names.get(i) + " anchor " + a);
                    }
                }
                if (matches[a] >= 0) {
                    positive++;
                }
            }
            assertEquals(encoded.length / 4, positive, names.get(i));
        }
    }

    @Test
    void bothRowCopyPathsWriteTheSameRow() {
        for (boolean direct : new boolean[] {true, false}) {
            org.nd4j.linalg.api.ndarray.INDArray target =
                    org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 4);
            TargetBuilder.copyRow(target, 1, new float[] {1, 2, 3, 4}, direct);
            assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0}, target.ravel().toFloatVector(),
                    "direct=" + direct);
        }
    }

    @Test
    void imageWithoutBoxesIsAllBackground() {
        RetinaNetTargets t = builder.build(List.of(GroundTruth.empty()), 128, 128);
        assertEquals(0.0, t.classTargets().sumNumber().doubleValue());
        assertEquals(0.0, t.classTargets().minNumber().doubleValue());
        assertEquals(NOT_POSITIVE, t.boxTargets().maxNumber().floatValue());
    }

    @Test
    void degenerateBoxesAreRejectedWithImageAndBoxIndex() {
        float[][] bad = {
                {10, 10, 10, 40},          // zero width
                {10, 40, 50, 20},          // negative height
                {10, Float.NaN, 50, 60},   // NaN
                {200, 10, 260, 50},        // entirely right of a 128-wide input
                {-50, -50, -1, 60},        // entirely left
                {0, 0, Float.POSITIVE_INFINITY, 60},
        };
        for (float[] box : bad) {
            float[] boxes = new float[8];
            System.arraycopy(new float[] {5, 5, 60, 60}, 0, boxes, 0, 4);
            System.arraycopy(box, 0, boxes, 4, 4);
            List<GroundTruth> batch = List.of(GroundTruth.empty(), new GroundTruth(boxes, new int[] {0, 1}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> builder.build(batch, 128, 128), java.util.Arrays.toString(box));
            assertTrue(e.getMessage().contains("image 1, box 1"), e.getMessage());
        }
    }

    @Test
    void labelsOutsideTheClassRangeAreRejected() {
        GroundTruth gt = new GroundTruth(new float[] {5, 5, 60, 60}, new int[] {K});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.build(List.of(gt), 128, 128));
        assertTrue(e.getMessage().contains("image 0, box 0") && e.getMessage().contains("label 5"), e.getMessage());
    }

    @Test
    void boxesPartlyOutsideTheInputAreKeptUnclipped() {
        GroundTruth gt = new GroundTruth(new float[] {-10, -10, 60, 60}, new int[] {2});
        RetinaNetTargets t = builder.build(List.of(gt), 128, 128);
        float[] cls = t.classTargets().toFloatVector();
        int positives = 0;
        for (int i = 2; i < cls.length; i += K) {
            positives += cls[i] == 1f ? 1 : 0;
        }
        assertTrue(positives > 0);
    }
}
