package org.retinanet4j.anchors;

import java.util.Arrays;

/**
 * Anchor settings of a RetinaNet: one base size per pyramid level, the scales applied to every base size and the
 * aspect ratios (height / width, as torchvision defines them).
 *
 * <p>The anchor sizes of level {@code l} are {@code (int) (baseSizes[l] * scales[s])}: Python's {@code int()}
 * truncation, which torchvision applies when it builds its defaults (32, 40, 50 on P3 and so on).
 *
 * @param baseSizes    base anchor size in input pixels, one per level, finest level first (P3..P7: 32..512)
 * @param scales       multipliers applied to every base size (torchvision: 2^0, 2^(1/3), 2^(2/3))
 * @param aspectRatios height / width ratios (torchvision: 0.5, 1, 2)
 * @param firstLevel   pyramid level of the first base size (3 for P3); level {@code l} has stride 2^l
 */
public record AnchorConfig(int[] baseSizes, double[] scales, double[] aspectRatios, int firstLevel) {

    /** Base sizes of torchvision's RetinaNet, P3..P7. */
    public static final int[] TORCHVISION_BASE_SIZES = {32, 64, 128, 256, 512};

    public AnchorConfig {
        if (baseSizes == null || baseSizes.length == 0) {
            throw new IllegalArgumentException("AnchorConfig.baseSizes: at least one level is required");
        }
        if (scales == null || scales.length == 0) {
            throw new IllegalArgumentException("AnchorConfig.scales: at least one scale is required");
        }
        if (aspectRatios == null || aspectRatios.length == 0) {
            throw new IllegalArgumentException("AnchorConfig.aspectRatios: at least one aspect ratio is required");
        }
        for (int i = 0; i < baseSizes.length; i++) {
            if (baseSizes[i] <= 0) {
                throw new IllegalArgumentException("AnchorConfig.baseSizes[" + i + "] must be > 0, got " + baseSizes[i]);
            }
        }
        for (int i = 0; i < scales.length; i++) {
            if (!(scales[i] > 0) || Double.isInfinite(scales[i])) {
                throw new IllegalArgumentException("AnchorConfig.scales[" + i + "] must be finite and > 0, got " + scales[i]);
            }
        }
        for (int i = 0; i < aspectRatios.length; i++) {
            if (!(aspectRatios[i] > 0) || Double.isInfinite(aspectRatios[i])) {
                throw new IllegalArgumentException(
                        "AnchorConfig.aspectRatios[" + i + "] must be finite and > 0, got " + aspectRatios[i]);
            }
        }
        if (firstLevel < 1 || firstLevel + baseSizes.length - 1 > 16) {
            throw new IllegalArgumentException("AnchorConfig.firstLevel must be in 1.." + (17 - baseSizes.length)
                    + " for " + baseSizes.length + " levels, got " + firstLevel);
        }
        baseSizes = baseSizes.clone();
        scales = scales.clone();
        aspectRatios = aspectRatios.clone();
        for (int level = 0; level < baseSizes.length; level++) {
            for (int s = 0; s < scales.length; s++) {
                if ((int) (baseSizes[level] * scales[s]) <= 0) {
                    throw new IllegalArgumentException("AnchorConfig: base size " + baseSizes[level] + " x scale "
                            + scales[s] + " truncates to an anchor size of 0 on level index " + level);
                }
            }
        }
    }

    /** torchvision's {@code retinanet_resnet50_fpn} anchors: P3..P7, sizes 32..512, 3 scales, ratios 0.5/1/2. */
    public static AnchorConfig torchvisionDefault() {
        return new AnchorConfig(TORCHVISION_BASE_SIZES.clone(),
                new double[] {1.0, Math.pow(2, 1.0 / 3), Math.pow(2, 2.0 / 3)},
                new double[] {0.5, 1.0, 2.0}, 3);
    }

    /** This configuration (scales, aspect ratios, first level) with other base sizes, one per level. */
    public AnchorConfig withBaseSizes(int... sizes) {
        return new AnchorConfig(sizes, scales, aspectRatios, firstLevel);
    }

    public int numLevels() {
        return baseSizes.length;
    }

    /** Pyramid level (3 for P3) of level index {@code levelIndex} (0 for the finest). */
    public int pyramidLevel(int levelIndex) {
        return firstLevel + levelIndex;
    }

    public int anchorsPerLocation() {
        return scales.length * aspectRatios.length;
    }

    /** Anchor sizes of one level, truncated to int as torchvision does. */
    public int[] sizes(int levelIndex) {
        int[] sizes = new int[scales.length];
        for (int s = 0; s < scales.length; s++) {
            sizes[s] = (int) (baseSizes[levelIndex] * scales[s]);
        }
        return sizes;
    }

    @Override
    public int[] baseSizes() {
        return baseSizes.clone();
    }

    @Override
    public double[] scales() {
        return scales.clone();
    }

    @Override
    public double[] aspectRatios() {
        return aspectRatios.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnchorConfig c && firstLevel == c.firstLevel && Arrays.equals(baseSizes, c.baseSizes)
                && Arrays.equals(scales, c.scales) && Arrays.equals(aspectRatios, c.aspectRatios);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Arrays.hashCode(baseSizes) + Arrays.hashCode(scales)) + Arrays.hashCode(aspectRatios))
                + firstLevel;
    }

    @Override
    public String toString() {
        return "AnchorConfig{baseSizes=" + Arrays.toString(baseSizes) + ", scales=" + Arrays.toString(scales)
                + ", aspectRatios=" + Arrays.toString(aspectRatios) + ", firstLevel=P" + firstLevel + "}";
    }
}
