package org.retinanet4j.data.image;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that are not images, or are cut short, with the real decoder: errors name the file; a truncated JPEG
 * decodes with a logged warning naming it (once); nothing from the native decoders reaches standard error (checked
 * on file descriptor 2 of a child JVM, against a control run that calls DataVec's loader directly).
 */
class BadImageFilesTest {

    @TempDir
    Path dir;

    private ListAppender<ILoggingEvent> logged;

    @BeforeEach
    void captureWarnings() {
        logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger(RgbImageDecoder.class)).addAppender(logged);
    }

    @AfterEach
    void stopCapture() {
        ((Logger) LoggerFactory.getLogger(RgbImageDecoder.class)).detachAppender(logged);
    }

    /** A 256x192 image with texture (so that image data, not headers, fills most of the file), by ImageIO. */
    static Path writeImage(Path file, String format) throws IOException {
        BufferedImage img = new BufferedImage(256, 192, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(1);
        for (int y = 0; y < 192; y++) {
            for (int x = 0; x < 256; x++) {
                img.setRGB(x, y, (x ^ y) << 16 | r.nextInt(256) << 8 | (x + y) & 0xff);
            }
        }
        ImageIO.write(img, format, file.toFile());
        return file;
    }

    static Path cut(Path file, Path to, double keep) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return Files.write(to, Arrays.copyOf(b, (int) (b.length * keep)));
    }

    private IOException refused(Path file, String expected) {
        IOException e = assertThrows(IOException.class, () -> new RgbImageDecoder().decode(file));
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        return e;
    }

    @Test
    void notAnImageIsRefusedBeforeAnyNativeDecoder() throws Exception {
        refused(Files.writeString(dir.resolve("notes.jpg"), "these are notes, not a photo"), "not an image file");
        refused(Files.write(dir.resolve("empty.png"), new byte[0]), "empty file");
    }

    @Test
    void aTruncatedJpegDecodesWithAWarningNamingTheFile() throws Exception {
        Path whole = writeImage(dir.resolve("whole.jpg"), "jpg");
        Path half = cut(whole, dir.resolve("half.jpg"), 0.6);
        RgbImage image = new RgbImageDecoder().decode(half);
        assertEquals(256, image.width());
        assertEquals(192, image.height());
        List<String> warnings = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(half.toString()) && warnings.get(0).contains("truncated"), warnings.get(0));

        new RgbImageDecoder().decode(half);
        assertEquals(1, logged.list.size(), "warned once per file, not on every decode (every epoch)");
        new RgbImageDecoder().decode(whole);
        assertEquals(1, logged.list.size(), "a whole JPEG decodes without a warning");
    }

    @Test
    void aTruncatedOrCorruptPngIsRefusedNamingTheFile() throws Exception {
        Path whole = writeImage(dir.resolve("whole.png"), "png");
        refused(cut(whole, dir.resolve("cut.png"), 0.5), "truncated");
        byte[] b = Files.readAllBytes(whole);
        b[b.length / 2] ^= 0x55;   // inside IDAT
        refused(Files.write(dir.resolve("flipped.png"), b), "corrupt");
        assertEquals(192, new RgbImageDecoder().decode(whole).height());
    }

    @Test
    void jpegWithoutImageDataIsRefused() throws Exception {
        Path whole = writeImage(dir.resolve("whole.jpg"), "jpg");
        refused(cut(whole, dir.resolve("header.jpg"), 0.01), "no image data");
    }

    private String childStderr(String mode, Path... files) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                DecodingChildMain.class.getName(), mode));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        Path err = dir.resolve(mode + ".stderr");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // generous: a loaded CI machine starts a JVM with ND4J slowly; this bounds a hung child, it times nothing
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "child finished");
        assertEquals(0, p.exitValue(), Files.readString(err));
        return Files.readString(err);
    }

    @Test
    void nativeDecoderNoiseDoesNotReachStandardError() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.jpg"), "these are notes, not a photo");
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        Path cutPng = cut(writeImage(dir.resolve("w.png"), "png"), dir.resolve("cut.png"), 0.5);
        Path cutJpg = cut(writeImage(dir.resolve("w.jpg"), "jpg"), dir.resolve("cut.jpg"), 0.6);
        String control = childStderr("datavec", notes, empty, cutPng);
        assertTrue(control.contains("pixReadMem") || control.contains("libpng"),
                "the control run shows the native noise this test looks for: " + control);
        String ours = childStderr("decoder", notes, empty, cutPng, cutJpg);
        assertFalse(ours.contains("pixReadMem") || ours.contains("libpng") || ours.contains("JPEG"),
                "no native messages on fd 2: " + ours);
    }
}
