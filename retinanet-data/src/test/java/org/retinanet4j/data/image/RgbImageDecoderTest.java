package org.retinanet4j.data.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fixtures: tools/make_image_fixtures.py (16x8, left half red, right half blue, in awkward formats). */
class RgbImageDecoderTest {

    @TempDir
    Path tmp;

    private final RgbImageDecoder decoder = new RgbImageDecoder();

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(RgbImageDecoderTest.class.getResource("/fixtures/images/" + name).toURI());
    }

    private static void assertRgb(RgbImage im, int x, int y, int r, int g, int b, int tol) {
        String at = "pixel (" + x + "," + y + ") = " + im.get(x, y, 0) + "," + im.get(x, y, 1) + "," + im.get(x, y, 2);
        assertTrue(Math.abs(im.get(x, y, 0) - r) <= tol && Math.abs(im.get(x, y, 1) - g) <= tol
                && Math.abs(im.get(x, y, 2) - b) <= tol, at + " expected " + r + "," + g + "," + b);
    }

    @Test
    void pngChannelsComeOutRgb() throws IOException {
        BufferedImage bi = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        bi.setRGB(0, 0, 0xFF0000);
        bi.setRGB(3, 1, 0x00FF00);
        bi.setRGB(1, 1, 0x0000FF);
        Path f = tmp.resolve("a.png");
        ImageIO.write(bi, "png", f.toFile());
        RgbImage im = decoder.decode(f);
        assertEquals(4, im.width());
        assertEquals(2, im.height());
        assertRgb(im, 0, 0, 255, 0, 0, 0);
        assertRgb(im, 3, 1, 0, 255, 0, 0);
        assertRgb(im, 1, 1, 0, 0, 255, 0);
    }

    @Test
    void alphaGrayscaleSixteenBitAndCmykBecomeRgb() throws Exception {
        RgbImage rgba = decoder.decode(fixture("rgba.png"));
        assertRgb(rgba, 1, 1, 255, 0, 0, 0);
        assertRgb(rgba, 14, 6, 0, 0, 255, 0);
        RgbImage gray16 = decoder.decode(fixture("gray16.png"));
        assertRgb(gray16, 1, 1, 255, 255, 255, 0);
        assertRgb(gray16, 14, 6, 0, 0, 0, 0);
        RgbImage la = decoder.decode(fixture("gray-alpha.png"));
        assertRgb(la, 1, 1, 200, 200, 200, 0);
        assertRgb(la, 14, 6, 0, 0, 0, 0);
        RgbImage cmyk = decoder.decode(fixture("cmyk.jpg"));
        assertEquals(16, cmyk.width());
        assertRgb(cmyk, 1, 1, 255, 0, 0, 12);
        assertRgb(cmyk, 14, 6, 0, 0, 255, 12);
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        // stored 16x8 red|blue, Orientation 6 (rotate 90 degrees clockwise to display): 8x16, red on top
        RgbImage im = decoder.decode(fixture("exif-orientation6.jpg"));
        assertEquals(8, im.width());
        assertEquals(16, im.height());
        assertRgb(im, 4, 1, 255, 0, 0, 12);
        assertRgb(im, 4, 14, 0, 0, 255, 12);
    }

    @Test
    void missingAndCorruptFilesNameTheFile() throws IOException {
        Path missing = tmp.resolve("nope.jpg");
        assertTrue(assertThrows(IOException.class, () -> decoder.decode(missing)).getMessage().contains("nope.jpg"));
        Path corrupt = tmp.resolve("corrupt.jpg");
        Files.write(corrupt, new byte[] {1, 2, 3, 4, 5});
        String msg = assertThrows(IOException.class, () -> decoder.decode(corrupt)).getMessage();
        assertTrue(msg.contains("corrupt.jpg"), msg);
    }

    @Test
    void resizerKeepsConstantColourAndSize() {
        byte[] px = new byte[6 * 4 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 10;
            px[i + 2] = (byte) 130;
        }
        float[] out = ImageResizer.resize(new RgbImage(6, 4, px), 9, 3);
        assertEquals(9 * 3 * 3, out.length);
        for (int i = 0; i < out.length; i += 3) {
            assertEquals(200f, out[i], 1e-3f);
            assertEquals(10f, out[i + 1], 1e-3f);
            assertEquals(130f, out[i + 2], 1e-3f);
        }
    }
}
