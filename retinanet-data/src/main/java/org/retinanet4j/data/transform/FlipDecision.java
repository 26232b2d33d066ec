package org.retinanet4j.data.transform;

/**
 * Seeded horizontal-flip choice for training: whether image {@code i} is flipped in epoch {@code e} depends only on
 * (seed, e, i), not on thread timing or batch composition, so a resumed run sees the same augmentation.
 *
 * @param seed        run seed
 * @param probability flip probability (0.5 for RetinaNet training, 0 for evaluation)
 */
public record FlipDecision(long seed, double probability) {

    public FlipDecision {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + probability);
        }
    }

    /** Never flips. */
    public static FlipDecision none() {
        return new FlipDecision(0, 0);
    }

    public boolean flip(int epoch, int imageIndex) {
        if (probability <= 0) {
            return false;
        }
        long z = seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)) ^ (0xC2B2AE3D27D4EB4FL * (imageIndex + 1L));
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        double u = (z >>> 11) * 0x1.0p-53;
        return u < probability;
    }
}
