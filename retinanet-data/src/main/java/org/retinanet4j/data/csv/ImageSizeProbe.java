package org.retinanet4j.data.csv;

import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.RgbImageDecoder;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Width and height of an image file. Reads only the header through ImageIO where it can; otherwise (formats
 * ImageIO lacks, such as WebP) decodes the image. EXIF orientation is not applied to header sizes, so images with
 * a rotating EXIF tag are reported later by the loader's size check.
 */
final class ImageSizeProbe {

    private final RgbImageDecoder decoder = new RgbImageDecoder();

    /** {width, height}; an IOException names the file when it is missing or unreadable. */
    int[] size(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in != null) {
                Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                if (readers.hasNext()) {
                    ImageReader r = readers.next();
                    try {
                        r.setInput(in);
                        return new int[] {r.getWidth(0), r.getHeight(0)};
                    } catch (IOException e) {
                        // fall through to a full decode
                    } finally {
                        r.dispose();
                    }
                }
            }
        }
        RgbImage image = decoder.decode(file);
        return new int[] {image.width(), image.height()};
    }
}
