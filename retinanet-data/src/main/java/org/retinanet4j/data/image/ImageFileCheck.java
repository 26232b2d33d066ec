package org.retinanet4j.data.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * A pure-Java look at an image file's bytes before any native decoder sees them: the format from its magic
 * number, and whether a JPEG or PNG was cut short. Files that are no image at all are refused here, so the native
 * decoders (OpenCV, Leptonica as its fallback) never print their own complaints on standard error for them; a
 * truncated JPEG still decodes (the missing rows come out gray), so the caller warns instead of failing.
 */
final class ImageFileCheck {

    /** Formats the decoders read, told by their first bytes. */
    enum Format { JPEG, PNG, BMP, GIF, TIFF, WEBP, PNM }

    /** The format and whether the data ends before the format's end marker. */
    record Result(Format format, boolean truncated, String problem) {
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ImageFileCheck() {
    }

    /** Checks {@code bytes} read from {@code file}; an IOException names the file when they are no image. */
    static Result check(Path file, byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            throw new IOException(file + ": empty file, not an image");
        }
        Format format = format(bytes);
        if (format == null) {
            throw new IOException(file + ": not an image file (unknown format; starts with " + hex(bytes) + ")");
        }
        return switch (format) {
            case JPEG -> jpeg(bytes);
            case PNG -> png(bytes);
            default -> new Result(format, false, null);
        };
    }

    static Format format(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return Format.JPEG;
        }
        if (startsWith(b, PNG_SIGNATURE)) {
            return Format.PNG;
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return Format.BMP;
        }
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return Format.GIF;
        }
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return Format.TIFF;
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return Format.WEBP;
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return Format.PNM;
        }
        return null;
    }

    /** A JPEG ends with EOI (FF D9) after its last start-of-scan; entropy-coded data never contains FF D9. */
    private static Result jpeg(byte[] b) {
        int lastScan = -1;
        for (int i = b.length - 2; i >= 2; i--) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xda) {
                lastScan = i;
                break;
            }
        }
        if (lastScan < 0) {
            return new Result(Format.JPEG, false, "truncated: no image data (no start-of-scan marker)");
        }
        for (int i = lastScan + 2; i + 1 < b.length; i++) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xd9) {
                return new Result(Format.JPEG, false, null);
            }
        }
        return new Result(Format.JPEG, true, "the JPEG data ends without its end-of-image marker");
    }

    /** Walks the PNG chunks: each must fit in the file and match its CRC, and IEND must come. */
    private static Result png(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int at = PNG_SIGNATURE.length;
        CRC32 crc = new CRC32();
        while (at + 8 <= b.length) {
            long length = buf.getInt(at) & 0xffffffffL;
            String type = new String(b, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (at + 12 + length > b.length) {
                return new Result(Format.PNG, true, "chunk " + type + " at byte " + at + " runs past the end of the file");
            }
            crc.reset();
            crc.update(b, at + 4, (int) (4 + length));
            long stored = buf.getInt(at + 8 + (int) length) & 0xffffffffL;
            if (crc.getValue() != stored) {
                return new Result(Format.PNG, false, "chunk " + type + " at byte " + at + " is corrupt (CRC mismatch)");
            }
            if (type.equals("IEND")) {
                return new Result(Format.PNG, false, null);
            }
            at += 12 + (int) length;
        }
        return new Result(Format.PNG, true, "the PNG data ends without its IEND chunk");
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
