package org.retinanet4j.data.image;

/**
 * One image after resizing, before batching: RGB values 0..255 (HWC, {@code height x width x 3}) as they were
 * decoded; {@code flipped} says that the batch shows it mirrored left-right (its boxes must be mirrored too).
 */
public record ResizedImage(int originalHeight, int originalWidth, int height, int width, boolean flipped,
                           float[] pixels) {
}
