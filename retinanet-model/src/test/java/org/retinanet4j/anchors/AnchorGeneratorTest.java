package org.retinanet4j.anchors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.retinanet4j.anchors.AnchorFixtures.floats;
import static org.retinanet4j.anchors.AnchorFixtures.integer;
import static org.retinanet4j.anchors.AnchorFixtures.ints;
import static org.retinanet4j.anchors.AnchorFixtures.list;
import static org.retinanet4j.anchors.AnchorFixtures.map;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Anchors against torchvision 0.14's AnchorGenerator on a real ResNet-FPN (fixtures/anchors/anchors.json). */
class AnchorGeneratorTest {

    private static final Map<String, Object> FIXTURE = AnchorFixtures.load("anchors.json");
    private final AnchorGenerator generator = new AnchorGenerator(AnchorConfig.torchvisionDefault());

    @Test
    void defaultSizesTruncateLikePython() {
        AnchorConfig config = AnchorConfig.torchvisionDefault();
        List<Object> sizes = list(FIXTURE.get("sizes"));
        for (int level = 0; level < 5; level++) {
            assertArrayEquals(ints(sizes.get(level)), config.sizes(level), "level " + level);
        }
        assertEquals(9, generator.anchorsPerLocation());
    }

    @Test
    void cellAnchorsEqualTorchvisionIncludingHalfToEvenRounding() {
        List<Object> cells = list(FIXTURE.get("cellAnchors"));
        for (int level = 0; level < 5; level++) {
            assertArrayEquals(floats(cells.get(level)), generator.cellAnchors(level), "level " + level);
        }
        // level P4, anchor 5 = ratio 1, size 101: half width 50.5 rounds to 50 (half to even), not 51
        assertArrayEquals(new float[] {-50, -50, 50, 50}, java.util.Arrays.copyOfRange(generator.cellAnchors(1), 20, 24));
    }

    @Test
    void anchorsEqualTorchvisionExactlyForEveryFixtureSize() {
        for (Object c : list(FIXTURE.get("cases"))) {
            Map<String, Object> kase = map(c);
            int h = integer(kase.get("height"));
            int w = integer(kase.get("width"));
            String label = h + "x" + w;
            List<Object> featureSizes = list(kase.get("featureSizes"));
            List<Object> strides = list(kase.get("strides"));
            for (int level = 0; level < 5; level++) {
                assertArrayEquals(ints(featureSizes.get(level)), generator.featureSize(level, h, w), label + " level " + level);
                assertArrayEquals(ints(strides.get(level)), generator.stride(level, h, w), label + " level " + level);
            }
            float[] anchors = generator.anchors(h, w);
            assertEquals(integer(kase.get("numAnchors")), generator.numAnchors(h, w), label);
            assertEquals(integer(kase.get("numAnchors")) * 4, anchors.length, label);
            int[] rows = ints(kase.get("sampleRows"));
            List<Object> sample = list(kase.get("sampleAnchors"));
            for (int i = 0; i < rows.length; i++) {
                assertArrayEquals(floats(sample.get(i)),
                        java.util.Arrays.copyOfRange(anchors, rows[i] * 4, rows[i] * 4 + 4), label + " row " + rows[i]);
            }
            assertEquals(kase.get("sha256"), AnchorFixtures.sha256(anchors), label + ": anchors differ from torchvision's");
        }
    }

    @Test
    void nonMultipleOf128HasNonPowerOfTwoStride() {
        // 256x320: P7 is 2x3 cells, stride 320 // 3 = 106 along x
        assertArrayEquals(new int[] {2, 3}, generator.featureSize(4, 256, 320));
        assertArrayEquals(new int[] {128, 106}, generator.stride(4, 256, 320));
        assertEquals(FeatureMapGeometry.featureSize(7, 333), 3);
    }

    @Test
    void anchorsAreCachedButCallersGetCopies() {
        float[] first = generator.anchors(128, 128);
        first[0] = 12345f;
        assertTrue(generator.anchors(128, 128)[0] != 12345f);
    }

    @Test
    void invalidSettingsNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AnchorConfig(new int[] {32, -1}, new double[] {1}, new double[] {1}, 3));
        assertTrue(e.getMessage().contains("baseSizes[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AnchorConfig(new int[] {32}, new double[] {1}, new double[] {0}, 3));
        assertTrue(e.getMessage().contains("aspectRatios[0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AnchorConfig(new int[] {32}, new double[] {Double.NaN}, new double[] {1}, 3));
        assertTrue(e.getMessage().contains("scales[0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> generator.anchors(0, 128));
        assertTrue(e.getMessage().contains("height 0"), e.getMessage());
    }
}
