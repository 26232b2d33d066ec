package org.retinanet4j.torchvision;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads NumPy {@code .npz} archives (as written by {@code numpy.savez}) into ND4J arrays, keeping the entry
 * order. Supports little-endian float32/float64 (read as float32), int64/int32 and uint8, C order only.
 * Written by hand because the archive format is tiny and every error must name the file and the entry.
 */
public final class NpzReader {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpzReader() {
    }

    /** All arrays of the archive, in file order, keyed by name without the {@code .npy} suffix. */
    public static Map<String, INDArray> read(Path file) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<ZipEntry> entries = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                entries.add(e.nextElement());
            }
            for (ZipEntry entry : entries) {
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    throw new IOException(file + ": entry '" + name + "' is not a .npy array; not an .npz file");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    out.put(name.substring(0, name.length() - 4), readNpy(in.readAllBytes(), file + "!" + name));
                }
            }
        } catch (ZipException e) {
            throw new IOException(file + ": not an .npz (zip) archive: " + e.getMessage(), e);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Parses one {@code .npy} payload; {@code where} names it in error messages. */
    static INDArray readNpy(byte[] bytes, String where) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (byte b : MAGIC) {
            if (buf.remaining() == 0 || buf.get() != b) {
                throw new IOException(where + ": missing the .npy magic header");
            }
        }
        int major = buf.get() & 0xff;
        buf.get();
        int headerLen = major == 1 ? (buf.getShort() & 0xffff) : buf.getInt();
        String header = new String(bytes, buf.position(), headerLen, StandardCharsets.ISO_8859_1);
        buf.position(buf.position() + headerLen);
        String descr = group(DESCR, header, where, "descr");
        if ("True".equals(group(FORTRAN, header, where, "fortran_order"))) {
            throw new IOException(where + ": Fortran-ordered arrays are not supported");
        }
        long[] shape = parseShape(group(SHAPE, header, where, "shape"));
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        int count = Math.toIntExact(n);
        ByteBuffer data = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (descr) {
            case "<f4": {
                float[] v = new float[count];
                need(data, 4L * count, where);
                data.asFloatBuffer().get(v);
                return Nd4j.create(v, shape, 'c');
            }
            case "<f8": {
                double[] v = new double[count];
                need(data, 8L * count, where);
                data.asDoubleBuffer().get(v);
                return Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
            }
            case "<i8": {
                long[] v = new long[count];
                need(data, 8L * count, where);
                data.asLongBuffer().get(v);
                return Nd4j.createFromArray(v).reshape(shape);
            }
            case "<i4": {
                int[] v = new int[count];
                need(data, 4L * count, where);
                data.asIntBuffer().get(v);
                return Nd4j.createFromArray(v).reshape(shape);
            }
            case "|u1": {
                byte[] v = new byte[count];
                need(data, count, where);
                data.get(v);
                return Nd4j.createFromArray(v).castTo(DataType.UBYTE).reshape(shape);
            }
            default:
                throw new IOException(where + ": unsupported dtype '" + descr + "' (expected float32 '<f4')");
        }
    }

    /** The UTF-8 text stored in a uint8 array (how the exporter stores {@code __meta__}). */
    static String utf8(INDArray bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b : bytes.castTo(DataType.INT).reshape(bytes.length()).toIntVector()) {
            out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void need(ByteBuffer data, long bytes, String where) throws IOException {
        if (data.remaining() < bytes) {
            throw new IOException(where + ": truncated array data (" + data.remaining() + " of " + bytes + " bytes)");
        }
    }

    private static String group(Pattern p, String header, String where, String field) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(where + ": .npy header has no '" + field + "': " + header.trim());
        }
        return m.group(1);
    }

    private static long[] parseShape(String text) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
        }
        return shape;
    }
}
