package org.retinanet4j.torchvision;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.StringJoiner;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes float32 arrays (and an optional JSON {@code __meta__} entry, as the exporter script does) in the
 * {@code .npz} format of {@code numpy.savez}: {@code numpy.load} and {@link NpzReader} read it.
 */
public final class NpzWriter {

    private NpzWriter() {
    }

    /** Writes {@code arrays} (C order, float32) and, when not null, {@code metaJson} as {@code __meta__}. */
    public static void write(Path file, Map<String, INDArray> arrays, String metaJson) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                float[] v = e.getValue().castTo(DataType.FLOAT).dup('c').reshape(e.getValue().length()).toFloatVector();
                ByteBuffer data = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(v);
                entry(zip, e.getKey(), "<f4", e.getValue().shape(), data.array());
            }
            if (metaJson != null) {
                byte[] bytes = metaJson.getBytes(StandardCharsets.UTF_8);
                entry(zip, TorchvisionStateDict.META_ENTRY, "|u1", new long[]{bytes.length}, bytes);
            }
        }
    }

    private static void entry(ZipOutputStream zip, String name, String descr, long[] shape, byte[] data)
            throws IOException {
        StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (long d : shape) {
            dims.add(Long.toString(d));
        }
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + dims + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        head.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        zip.write(head.array());
        zip.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        zip.write(data);
        zip.closeEntry();
    }
}
