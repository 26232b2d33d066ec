package org.retinanet4j.preprocess;

/**
 * The ONE place where network input pixels are normalised: torchvision's ImageNet mean (0.485, 0.456, 0.406) and
 * standard deviation (0.229, 0.224, 0.225) on RGB values scaled to 0..1, as {@code GeneralizedRCNNTransform}
 * does. Training, evaluation and inference all go through {@link #writeChw}; padding stays 0 after
 * normalisation (torchvision pads the normalised tensor with zeros).
 */
public final class ImageNormalization {

    /** RGB mean on 0..1 pixel values. */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    /** RGB standard deviation on 0..1 pixel values. */
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private ImageNormalization() {
    }

    /** Normalised value of a 0..255 pixel value of RGB channel {@code c}. */
    public static float normalize(float value255, int channel) {
        return (value255 / 255f - MEAN[channel]) / STD[channel];
    }

    /** Inverse of {@link #normalize}: 0..255 pixel value of a normalised value. */
    public static float denormalize(float normalized, int channel) {
        return (normalized * STD[channel] + MEAN[channel]) * 255f;
    }

    /**
     * Writes one image into slot {@code dstOffset} of a batch buffer laid out [3, paddedH, paddedW] (CHW), normalised,
     * optionally mirrored left-right, with the padding (bottom rows, right columns) set to 0.
     *
     * @param hwcRgb  interleaved RGB pixel values 0..255, {@code height x width x 3}
     * @param flip    mirror horizontally: output column x takes input column width-1-x
     * @param dst     destination, at least {@code dstOffset + 3*paddedH*paddedW} long
     */
    public static void writeChw(float[] hwcRgb, int height, int width, boolean flip, float[] dst, int dstOffset,
                                int paddedH, int paddedW) {
        if (paddedH < height || paddedW < width) {
            throw new IllegalArgumentException("padded size " + paddedH + "x" + paddedW + " is smaller than the image "
                    + height + "x" + width);
        }
        if (hwcRgb.length < height * width * 3) {
            throw new IllegalArgumentException("pixel buffer holds " + hwcRgb.length + " values, need "
                    + height * width * 3);
        }
        int plane = paddedH * paddedW;
        for (int c = 0; c < 3; c++) {
            // v/255 - mean) / std == v * a + b, folded once per channel
            float a = 1f / (255f * STD[c]);
            float b = -MEAN[c] / STD[c];
            int base = dstOffset + c * plane;
            for (int y = 0; y < height; y++) {
                int row = base + y * paddedW;
                int src = y * width * 3 + c;
                if (flip) {
                    for (int x = 0; x < width; x++) {
                        dst[row + width - 1 - x] = hwcRgb[src + 3 * x] * a + b;
                    }
                } else {
                    for (int x = 0; x < width; x++) {
                        dst[row + x] = hwcRgb[src + 3 * x] * a + b;
                    }
                }
                java.util.Arrays.fill(dst, row + width, row + paddedW, 0f);
            }
            java.util.Arrays.fill(dst, base + height * paddedW, base + plane, 0f);
        }
    }
}
