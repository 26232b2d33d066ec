package org.retinanet4j.data.image;

/**
 * A decoded image as interleaved 8-bit RGB, {@code height x width x 3} bytes (unsigned: read with
 * {@code & 0xFF}).
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width < 1 || height < 1 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("RgbImage " + width + "x" + height + " needs " + width * height * 3
                    + " bytes, got " + rgb.length);
        }
    }

    /** Red, green or blue (c = 0, 1, 2) value 0..255 at (x, y). */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
