package org.retinanet4j.anchors;

/**
 * Feature-map sizes that torchvision's ResNet-FPN (and the DL4J graph built to match it) produces for an input of
 * any size, and the anchor strides torchvision derives from them.
 *
 * <p>Every downsampling step of the network halves with rounding up: the stem convolution (7x7, stride 2, pad 3),
 * the max pool (3x3, stride 2, pad 1), the stride-2 3x3 convolutions of C3..C5 (ResNet v1.5) and of P6/P7
 * (3x3, stride 2, pad 1) all give {@code floor((n + 2p - k) / 2) + 1 = ceil(n / 2)}. So level {@code l} has
 * {@code ceil(n / 2^l)} cells, and torchvision's stride is {@code n / cells} (integer division), which is not a
 * power of two when {@code n} is not a multiple of {@code 2^l} (e.g. width 320: P7 has 3 cells, stride 106).
 */
public final class FeatureMapGeometry {

    private FeatureMapGeometry() {
    }

    /** Cells along one axis of pyramid level {@code pyramidLevel} (3 = P3) for an input of {@code inputSize} pixels. */
    public static int featureSize(int pyramidLevel, int inputSize) {
        if (inputSize <= 0) {
            throw new IllegalArgumentException("input size must be > 0, got " + inputSize);
        }
        if (pyramidLevel < 1) {
            throw new IllegalArgumentException("pyramid level must be >= 1, got " + pyramidLevel);
        }
        int n = convOutput(inputSize, 7, 2, 3); // stem conv
        for (int level = 2; level <= pyramidLevel; level++) {
            n = convOutput(n, 3, 2, 1); // max pool at level 2, stride-2 3x3 convolutions above
        }
        return n;
    }

    /** torchvision's anchor stride along one axis: {@code inputSize // featureSize}. */
    public static int stride(int pyramidLevel, int inputSize) {
        return inputSize / featureSize(pyramidLevel, inputSize);
    }

    private static int convOutput(int n, int kernel, int stride, int pad) {
        return Math.floorDiv(n + 2 * pad - kernel, stride) + 1;
    }
}
