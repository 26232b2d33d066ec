package org.retinanet4j.preprocess;

import java.util.Arrays;

/**
 * How a model's input pixels are normalised: RGB values scaled to 0..1, then {@code (v - mean[c]) / std[c]} per
 * channel, as torchvision's {@code GeneralizedRCNNTransform} does. Part of every model's
 * {@code RetinaNetSpec}, so training, evaluation and inference normalise with the values the model was trained
 * with; {@link #IMAGENET} (torchvision's) is the default. Padding stays 0 after normalisation (torchvision pads
 * the normalised tensor with zeros).
 *
 * @param mean RGB mean on 0..1 pixel values
 * @param std  RGB standard deviation on 0..1 pixel values, each > 0
 */
public record ImageNormalization(float[] mean, float[] std) {

    /** torchvision's ImageNet mean (0.485, 0.456, 0.406) and standard deviation (0.229, 0.224, 0.225). */
    public static final ImageNormalization IMAGENET = new ImageNormalization(new float[]{0.485f, 0.456f, 0.406f},
            new float[]{0.229f, 0.224f, 0.225f});

    public ImageNormalization {
        if (mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("ImageNormalization: mean and std need 3 values (RGB), got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("ImageNormalization: mean must be finite and std finite and > 0, "
                        + "got mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Normalised value of a 0..255 pixel value of RGB channel {@code c}. */
    public float normalize(float value255, int channel) {
        return (value255 / 255f - mean[channel]) / std[channel];
    }

    /** Inverse of {@link #normalize}: 0..255 pixel value of a normalised value. */
    public float denormalize(float normalized, int channel) {
        return (normalized * std[channel] + mean[channel]) * 255f;
    }

    /**
     * Writes one image into slot {@code dstOffset} of a batch buffer laid out [3, paddedH, paddedW] (CHW), normalised,
     * optionally mirrored left-right, with the padding (bottom rows, right columns) set to 0.
     *
     * @param hwcRgb  interleaved RGB pixel values 0..255, {@code height x width x 3}
     * @param flip    mirror horizontally: output column x takes input column width-1-x
     * @param dst     destination, at least {@code dstOffset + 3*paddedH*paddedW} long
     */
    public void writeChw(float[] hwcRgb, int height, int width, boolean flip, float[] dst, int dstOffset,
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
            // (v/255 - mean) / std == v * a + b, folded once per channel
            float a = 1f / (255f * std[c]);
            float b = -mean[c] / std[c];
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
                Arrays.fill(dst, row + width, row + paddedW, 0f);
            }
            Arrays.fill(dst, base + height * paddedW, base + plane, 0f);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageNormalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "ImageNormalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
