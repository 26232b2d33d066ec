package org.retinanet4j.data.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Inference-side input of one image from a file or a {@link BufferedImage}: decoded to RGB as the training
 * pipeline decodes, then prepared by the model's {@link InputBatcher}. Not thread-safe (one decoder); use one per
 * thread.
 */
public final class InputPreparer {

    private final InputBatcher batcher;
    private final RgbImageDecoder decoder = new RgbImageDecoder();

    public InputPreparer(InputBatcher batcher) {
        this.batcher = batcher;
    }

    /** Decodes {@code file} (IOException naming it when missing or unreadable) and prepares it. */
    public InputBatch prepare(Path file) throws IOException {
        return batcher.single(decoder.decode(file));
    }

    public InputBatch prepare(BufferedImage image) {
        return batcher.single(fromBufferedImage(image));
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
