package org.retinanet4j.examples.focalloss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LossSharesTest {

    @Test
    void cumulativeShareSortsFromSmallestLoss() {
        assertArrayEquals(new double[] {0.1, 0.3, 0.6, 1.0}, LossShares.cumulativeShare(new double[] {3, 1, 4, 2}),
                1e-12);
        assertArrayEquals(new double[] {0.25, 0.5, 0.75, 1.0}, LossShares.fractions(4), 1e-12);
    }

    @Test
    void shareOfHardestTakesTheLargestLosses() {
        double[] losses = {3, 1, 4, 2};
        assertEquals(0.4, LossShares.shareOfHardest(losses, 0.25), 1e-12);
        assertEquals(0.7, LossShares.shareOfHardest(losses, 0.5), 1e-12);
        assertEquals(0.0, LossShares.shareOfHardest(losses, 0), 1e-12);
    }

    @Test
    void selectAndThin() {
        assertArrayEquals(new double[] {5, 7}, LossShares.select(new double[] {5, 6, 7, 8},
                new float[] {0, 1, 0, -1}, 0f));
        assertArrayEquals(new double[] {0, 3, 6, 7}, LossShares.thin(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, 3));
        assertArrayEquals(new double[] {0, 3, 6}, LossShares.thin(new double[] {0, 1, 2, 3, 4, 5, 6}, 3));
    }
}
