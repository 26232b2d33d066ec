package org.retinanet4j.updater;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The finiteness test the fused steps run on every block finds a NaN or an infinity wherever it is. */
class UpdaterBlocksTest {

    @Test
    void aNonFiniteValueAnywhereInTheFirstLenValuesIsFound() {
        for (int len : new int[]{1, 2, 3, 4, 5, 7, 8, 9, UpdaterBlocks.BLOCK - 1, UpdaterBlocks.BLOCK}) {
            float[] values = new float[UpdaterBlocks.BLOCK];
            Arrays.fill(values, -3.0e38f); // finite, large and negative: products with 0 are -0
            assertTrue(UpdaterBlocks.allFinite(values, len), "all finite, length " + len);
            for (int at = 0; at < len; at++) {
                for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    values[at] = bad;
                    assertFalse(UpdaterBlocks.allFinite(values, len), bad + " at " + at + " of " + len);
                    values[at] = 1f;
                }
            }
            values[len - 1] = 1f;
            if (len < UpdaterBlocks.BLOCK) {
                values[len] = Float.NaN; // beyond len: not looked at
                assertTrue(UpdaterBlocks.allFinite(values, len), "a NaN after the first " + len + " values");
            }
        }
    }
}
