package org.retinanet4j.data.iterator;

import java.util.SplittableRandom;

/**
 * The order images are visited in one epoch: dataset order, or a seeded shuffle that depends only on
 * (seed, epoch), so a resumed run can rebuild the order of any epoch and start at any batch.
 */
public final class EpochOrder {

    private EpochOrder() {
    }

    public static int[] of(int numImages, boolean shuffle, long seed, int epoch) {
        int[] order = new int[numImages];
        for (int i = 0; i < numImages; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = numImages - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}
