package org.retinanet4j.persist;

import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a {@link BundleSnapshot} as the saved-model zip: the entries DL4J's {@link ModelSerializer} writes
 * ({@code configuration.json}, {@code coefficients.bin}, {@code updaterState.bin}, each array in
 * {@link Nd4j#write}'s format, so {@code ModelSerializer.restoreComputationGraph} reads the file), then our own.
 *
 * <p>The arrays are {@code STORED}: deflate saves about 8% on trained float weights at a cost of seconds per
 * hundred megabytes (docs/benchmarks.md, "Checkpoint writing"). A stored entry needs its size and CRC-32 before its
 * data, so each array is serialised twice, once into a CRC-32 and once into the file; {@link ZipOutputStream}
 * checks at the end of the entry that both passes agreed. The JSON entries are small and deflated at the fastest
 * level.
 */
public final class BundleZipWriter {

    private BundleZipWriter() {
    }

    /** Writes the zip into {@code file} (not atomically; {@link ModelBundle#save} wraps this in {@link AtomicFiles}). */
    public static void writeTo(Path file, BundleSnapshot snapshot) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            zip.setLevel(Deflater.BEST_SPEED);
            deflated(zip, ModelSerializer.CONFIGURATION_JSON, snapshot.configurationJson());
            stored(zip, ModelSerializer.COEFFICIENTS_BIN, snapshot.params());
            if (snapshot.updaterState() != null) {
                stored(zip, ModelSerializer.UPDATER_BIN, snapshot.updaterState());
            }
            for (Map.Entry<String, byte[]> e : snapshot.entries().entrySet()) {
                deflated(zip, e.getKey(), e.getValue());
            }
        }
    }

    private static void deflated(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    private static void stored(ZipOutputStream zip, String name, INDArray array) throws IOException {
        Crc32Sink sink = new Crc32Sink();
        serialise(array, sink);
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(sink.bytes);
        e.setCompressedSize(sink.bytes);
        e.setCrc(sink.crc.getValue());
        zip.putNextEntry(e);
        serialise(array, zip);
        zip.closeEntry();
    }

    private static void serialise(INDArray array, OutputStream out) throws IOException {
        UnsynchronizedBuffer buffer = new UnsynchronizedBuffer(out);
        Nd4j.write(array, new DataOutputStream(buffer));
        buffer.flush();
    }

    /**
     * {@link Nd4j#write} hands over every float as four single-byte writes; {@link BufferedOutputStream}
     * synchronises each of them, which made serialising alone cost more than the disk write.
     */
    private static final class UnsynchronizedBuffer extends OutputStream {
        private final OutputStream out;
        private final byte[] buffer = new byte[1 << 16];
        private int count;

        UnsynchronizedBuffer(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == buffer.length) {
                drain();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > buffer.length - count) {
                drain();
            }
            if (len >= buffer.length) {
                out.write(b, off, len);
            } else {
                System.arraycopy(b, off, buffer, count, len);
                count += len;
            }
        }

        @Override
        public void flush() throws IOException {
            drain();
            out.flush();
        }

        private void drain() throws IOException {
            if (count > 0) {
                out.write(buffer, 0, count);
                count = 0;
            }
        }
    }

    /** Counts and checksums what would be written, without writing it. */
    private static final class Crc32Sink extends OutputStream {
        private final CRC32 crc = new CRC32();
        private long bytes;

        @Override
        public void write(int b) {
            crc.update(b);
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            crc.update(b, off, len);
            bytes += len;
        }
    }
}
