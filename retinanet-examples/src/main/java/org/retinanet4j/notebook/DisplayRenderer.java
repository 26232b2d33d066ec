package org.retinanet4j.notebook;

import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Turns a displayed object into nbformat MIME data, as the Java kernels do: an image ({@link RenderedImage}) as
 * {@code image/png}, anything else as {@code text/plain} ({@link String#valueOf}). Two choices of this project:
 * an xchart chart is drawn as {@code image/png} (JJava shows only its text; notebooks that must look the same
 * in a kernel display {@code BitmapEncoder.getBufferedImage(chart)}), and an image's {@code text/plain} is its
 * size rather than {@code toString()}, whose identity hash would change the file on every run.
 */
final class DisplayRenderer {

    private DisplayRenderer() {
    }

    static Map<String, String> render(Object value) {
        Map<String, String> data = new LinkedHashMap<>();
        RenderedImage image = value instanceof Chart<?, ?> chart ? BitmapEncoder.getBufferedImage(chart)
                : value instanceof RenderedImage r ? r : null;
        if (image != null) {
            data.put(CellOutput.IMAGE_PNG, png(image));
            data.put(CellOutput.TEXT_PLAIN, describe(value, image));
        } else {
            data.put(CellOutput.TEXT_PLAIN, String.valueOf(value));
        }
        return data;
    }

    private static String describe(Object value, RenderedImage image) {
        String kind = value instanceof BufferedImage ? "BufferedImage" : value.getClass().getSimpleName();
        return kind + " " + image.getWidth() + "x" + image.getHeight();
    }

    private static String png(RenderedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer for this image");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
