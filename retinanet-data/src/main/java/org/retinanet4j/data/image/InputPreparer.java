package org.retinanet4j.data.image;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.preprocess.ResizeRule;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Inference-side preprocessing with exactly the training pipeline's steps (decode to RGB, {@link ResizeRule},
 * {@link ImageNormalization}, {@link PaddingRule}), for one image from a file or a {@link BufferedImage}.
 * Not thread-safe (one decoder); use one per thread.
 */
public final class InputPreparer {

    private final ResizeRule resize;
    private final PaddingRule padding;
    private final RgbImageDecoder decoder = new RgbImageDecoder();

    public InputPreparer(ResizeRule resize, PaddingRule padding) {
        this.resize = resize;
        this.padding = padding;
    }

    /** Decodes {@code file} (IOException naming it when missing or unreadable) and prepares it. */
    public NetworkInput prepare(Path file) throws IOException {
        return prepare(decoder.decode(file));
    }

    public NetworkInput prepare(BufferedImage image) {
        return prepare(fromBufferedImage(image));
    }

    public NetworkInput prepare(RgbImage image) {
        ResizeInfo info = resize.apply(image.height(), image.width(), padding);
        float[] pixels = ImageResizer.resize(image, info.resizedWidth(), info.resizedHeight());
        float[] chw = new float[3 * info.paddedHeight() * info.paddedWidth()];
        ImageNormalization.writeChw(pixels, info.resizedHeight(), info.resizedWidth(), false, chw, 0,
                info.paddedHeight(), info.paddedWidth());
        return new NetworkInput(Nd4j.create(chw, new long[] {1, 3, info.paddedHeight(), info.paddedWidth()},
                DataType.FLOAT), info);
    }

    /** RGB bytes of a Java2D image (alpha dropped, any colour model converted through {@code getRGB}). */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        return new RgbImage(w, h, rgb);
    }
}
