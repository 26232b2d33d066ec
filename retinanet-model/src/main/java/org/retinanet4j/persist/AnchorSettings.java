package org.retinanet4j.persist;

import java.util.Arrays;

/**
 * The anchor settings a model was trained with (sizes per level P3..P7, scales and aspect ratios h/w), stored with
 * the model because the network's outputs mean nothing under other anchors.
 */
public record AnchorSettings(int[] sizes, double[] scales, double[] aspectRatios) {

    public AnchorSettings {
        if (sizes.length == 0 || scales.length == 0 || aspectRatios.length == 0) {
            throw new IllegalArgumentException("anchor settings need at least one size, scale and ratio");
        }
        sizes = sizes.clone();
        scales = scales.clone();
        aspectRatios = aspectRatios.clone();
    }

    /** torchvision's: sizes 32..512, scales 2^0, 2^(1/3), 2^(2/3), ratios 0.5, 1, 2. */
    public static AnchorSettings torchvisionDefault() {
        return new AnchorSettings(new int[]{32, 64, 128, 256, 512},
                new double[]{1.0, Math.pow(2, 1.0 / 3), Math.pow(2, 2.0 / 3)}, new double[]{0.5, 1.0, 2.0});
    }

    public int anchorsPerLocation() {
        return scales.length * aspectRatios.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnchorSettings a && Arrays.equals(sizes, a.sizes) && Arrays.equals(scales, a.scales)
                && Arrays.equals(aspectRatios, a.aspectRatios);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(sizes) + Arrays.hashCode(scales)) + Arrays.hashCode(aspectRatios);
    }

    @Override
    public String toString() {
        return "AnchorSettings[sizes=" + Arrays.toString(sizes) + ", scales=" + Arrays.toString(scales)
                + ", aspectRatios=" + Arrays.toString(aspectRatios) + "]";
    }
}
