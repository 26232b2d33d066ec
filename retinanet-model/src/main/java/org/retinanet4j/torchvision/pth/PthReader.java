package org.retinanet4j.torchvision.pth;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.objects.ClassDict;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads the state dict ({@code name -> tensor}) of a file written by {@code torch.save(model.state_dict(), f)}, in
 * Java: torch's zip format (torch 1.6 and later: {@code <folder>/data.pkl} plus one {@code <folder>/data/<key>}
 * entry per storage) and the legacy format ({@code _use_new_zipfile_serialization=False}, and every file of
 * torch &lt; 1.6: five pickles, magic number, protocol, system info, the object and the storage keys, followed by
 * each storage's element count and raw bytes). The pickles are read by net.razorvine's pickle library
 * ({@link TorchUnpickler}); this class finds the storages and cuts the tensors out of them (any offset and strides).
 *
 * <p>Floating tensors (float32, float64, float16, bfloat16) become FLOAT arrays, integer and boolean tensors LONG
 * arrays; names keep the file's order. Every error is an {@link IOException} whose message names the file and,
 * where one is involved, the tensor: a file that holds something other than a state dict (a list, a whole pickled
 * model, a checkpoint dict with the state dict under a key: the message says what it found), a truncated file, a
 * storage too short for its tensor.
 */
public final class PthReader {

    /** How the legacy format starts: pickle protocol 2, then torch's magic number 0x1950a86a20f9469cfc6c. */
    private static final byte[] LEGACY_HEAD = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c,
            0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final byte[] ZIP_HEAD = {'P', 'K', 3, 4};

    private PthReader() {
    }

    /** Whether {@code head} (the file's first bytes) starts a legacy-format torch file. */
    public static boolean isLegacyFormat(byte[] head) {
        return startsWith(head, LEGACY_HEAD);
    }

    /** Whether a zip archive is torch's format: it has a {@code <folder>/data.pkl} entry. */
    public static boolean isTorchZip(ZipFile zip) {
        return pickleEntry(zip) != null;
    }

    /** The state dict of a torch.save file (zip or legacy format), tensors by name in file order. */
    public static Map<String, INDArray> readStateDict(Path file) throws IOException {
        byte[] head = head(file);
        if (isLegacyFormat(head)) {
            return readLegacy(file);
        }
        if (startsWith(head, ZIP_HEAD)) {
            return readZip(file);
        }
        throw new IOException(file + ": not a torch.save file (neither torch's zip format nor its legacy format)");
    }

    private static Map<String, INDArray> readZip(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pickle = pickleEntry(zip);
            if (pickle == null) {
                throw new IOException(file + ": a zip archive without <folder>/data.pkl: not a torch.save file");
            }
            String top = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            Object root;
            try (InputStream in = new BufferedInputStream(zip.getInputStream(pickle))) {
                root = unpickle(new TorchUnpickler(), in, file);
            }
            Map<String, PickledTensor> tensors = stateDict(root, file);
            ByteOrder order = byteOrder(zip, top);
            Map<String, INDArray> out = new LinkedHashMap<>();
            Map<String, ByteBuffer> storages = new LinkedHashMap<>();
            for (Map.Entry<String, PickledTensor> e : tensors.entrySet()) {
                StorageRef ref = e.getValue().storage();
                ByteBuffer bytes = storages.get(ref.key());
                if (bytes == null) {
                    ZipEntry data = zip.getEntry(top + "data/" + ref.key());
                    if (data == null) {
                        throw new IOException(file + ": tensor '" + e.getKey() + "' refers to storage " + top
                                + "data/" + ref.key() + ", which the archive lacks (truncated or damaged?)");
                    }
                    try (InputStream in = zip.getInputStream(data)) {
                        bytes = ByteBuffer.wrap(in.readAllBytes()).order(order);
                    }
                    storages.put(ref.key(), bytes);
                }
                out.put(e.getKey(), materialise(e.getKey(), e.getValue(), bytes, file));
            }
            return Collections.unmodifiableMap(out);
        } catch (ZipException e) {
            throw new IOException(file + ": not a complete zip archive (truncated or damaged?): " + e.getMessage(), e);
        }
    }

    private static Map<String, INDArray> readLegacy(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            TorchUnpickler unpickler = new TorchUnpickler();
            Object magic = unpickle(unpickler, in, file);
            if (!(magic instanceof Number n) || !MAGIC.equals(new BigInteger(n.toString()))) {
                throw new IOException(file + ": legacy torch file without torch's magic number");
            }
            unpickle(unpickler, in, file);                        // protocol version (1001)
            Object sysInfo = unpickle(unpickler, in, file);
            ByteOrder order = sysInfo instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian"))
                    ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            Object root = unpickle(unpickler, in, file);
            Map<String, PickledTensor> tensors = stateDict(root, file);
            Object keys = unpickle(unpickler, in, file);
            if (!(keys instanceof Collection<?> keyList)) {
                throw new IOException(file + ": legacy torch file without its list of storage keys");
            }
            Map<String, StorageRef> refs = new LinkedHashMap<>();
            for (PickledTensor t : tensors.values()) {
                refs.put(t.storage().key(), t.storage());
            }
            Map<String, ByteBuffer> storages = new LinkedHashMap<>();
            for (Object k : keyList) {
                String key = String.valueOf(k);
                StorageRef ref = refs.get(key);
                if (ref == null) {
                    throw new IOException(file + ": storage " + key + " belongs to no tensor of the state dict");
                }
                storages.put(key, readLegacyStorage(in, ref, order, file, tensors));
            }
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, PickledTensor> e : tensors.entrySet()) {
                ByteBuffer bytes = storages.get(e.getValue().storage().key());
                if (bytes == null) {
                    throw new IOException(file + ": tensor '" + e.getKey() + "' refers to storage "
                            + e.getValue().storage().key() + ", which the file does not list");
                }
                out.put(e.getKey(), materialise(e.getKey(), e.getValue(), bytes, file));
            }
            return Collections.unmodifiableMap(out);
        }
    }

    /** One legacy storage: int64 element count, then the elements. */
    private static ByteBuffer readLegacyStorage(InputStream in, StorageRef ref, ByteOrder order, Path file,
                                                Map<String, PickledTensor> tensors) throws IOException {
        try {
            long numel = ByteBuffer.wrap(readFully(in, 8)).order(order).getLong();
            if (numel != ref.numel()) {
                throw new IOException(file + ": storage " + ref.key() + " of tensor '" + tensorOf(ref, tensors)
                        + "' holds " + numel + " elements, its pickle says " + ref.numel());
            }
            return ByteBuffer.wrap(readFully(in, Math.toIntExact(numel * ref.dtype().size()))).order(order);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated: the file ends inside storage " + ref.key() + " of tensor '"
                    + tensorOf(ref, tensors) + "'", e);
        }
    }

    private static String tensorOf(StorageRef ref, Map<String, PickledTensor> tensors) {
        return tensors.entrySet().stream().filter(e -> e.getValue().storage().key().equals(ref.key()))
                .map(Map.Entry::getKey).findFirst().orElse("?");
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException(b.length + " of " + n + " bytes");
        }
        return b;
    }

    private static Object unpickle(TorchUnpickler unpickler, InputStream in, Path file) throws IOException {
        try {
            return unpickler.load(in);
        } catch (PickleException e) {
            throw new IOException(file + ": cannot read its pickle: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(file + ": truncated or damaged pickle: " + e.getMessage(), e);
        }
    }

    /** The unpickled object as a state dict, or an error that says what the file holds instead. */
    static Map<String, PickledTensor> stateDict(Object root, Path file) throws IOException {
        String notStateDict = file + ": not a state dict (torch.save(model.state_dict(), f) writes one): ";
        if (root instanceof ClassDict c) {
            throw new IOException(notStateDict + "a pickled " + c.getClassName() + " object (a whole model saved "
                    + "with torch.save(model)?); save model.state_dict() instead");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IOException(notStateDict + describe(root));
        }
        Map<String, PickledTensor> out = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getValue() instanceof PickledTensor t && e.getKey() instanceof String name) {
                out.put(name, t);
            } else {
                others.add(String.valueOf(e.getKey()));
            }
        }
        if (out.isEmpty()) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> inner && countTensors(inner) > 0) {
                    throw new IOException(notStateDict + "a dict of " + map.size() + " entries " + others
                            + " whose tensors sit under '" + e.getKey() + "' (" + countTensors(inner) + " tensors), "
                            + "like a training checkpoint; save that entry alone: torch.save(checkpoint['"
                            + e.getKey() + "'], f)");
                }
            }
            throw new IOException(notStateDict + "a dict of " + map.size() + " entries " + others + " and no tensors");
        }
        if (!others.isEmpty()) {
            Object value = map.get(others.get(0));
            throw new IOException(notStateDict + "entry '" + others.get(0) + "' is " + describe(value)
                    + ", not a tensor");
        }
        return out;
    }

    private static long countTensors(Map<?, ?> map) {
        return map.values().stream().filter(v -> v instanceof PickledTensor).count();
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PickledTensor t) {
            return "a single " + t + " tensor";
        }
        if (o instanceof ClassDict c) {
            return "a " + c.getClassName() + " object";
        }
        if (o instanceof Collection<?> c) {
            return "a list of " + c.size() + " items";
        }
        if (o instanceof Object[] a) {
            return "a tuple of " + a.length + " items";
        }
        if (o instanceof Map<?, ?> m) {
            return "a dict of " + m.size() + " entries";
        }
        if (o instanceof String) {
            return "a string";
        }
        return "a " + o.getClass().getSimpleName() + " (" + o + ")";
    }

    /** Cuts tensor {@code name} out of its storage's bytes. */
    static INDArray materialise(String name, PickledTensor t, ByteBuffer storage, Path file) throws IOException {
        TorchDtype dtype = t.storage().dtype();
        long available = storage.capacity() / dtype.size();
        if (available < t.storage().numel()) {
            throw new IOException(file + ": storage " + t.storage().key() + " of tensor '" + name + "' has "
                    + available + " " + dtype + " elements, its pickle says " + t.storage().numel()
                    + " (truncated?)");
        }
        if (t.extent() > available || t.offset() < 0) {
            throw new IOException(file + ": tensor '" + name + "' " + t + " reaches element " + t.extent()
                    + " of a storage of " + available);
        }
        int n = Math.toIntExact(t.numel());
        long[] index = elementIndices(t, n);
        if (dtype.floating()) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = dtype.readFloat(storage, index == null ? t.offset() + i : index[i]);
            }
            return t.size().length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, t.size(), 'c');
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = dtype.readLong(storage, index == null ? t.offset() + i : index[i]);
        }
        if (t.size().length == 0) {
            return Nd4j.scalar(v[0]);
        }
        return n == 0 ? Nd4j.create(DataType.LONG, t.size()) : Nd4j.createFromArray(v).reshape(t.size());
    }

    /** Storage index of each element in C order; null when the view is contiguous (index = offset + i). */
    private static long[] elementIndices(PickledTensor t, int n) {
        if (t.contiguous()) {
            return null;
        }
        long[] size = t.size();
        long[] stride = t.stride();
        long[] out = new long[n];
        long[] pos = new long[size.length];
        for (int i = 0; i < n; i++) {
            long at = t.offset();
            for (int d = 0; d < size.length; d++) {
                at += pos[d] * stride[d];
            }
            out[i] = at;
            for (int d = size.length - 1; d >= 0; d--) {
                if (++pos[d] < size[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
        return out;
    }

    private static ZipEntry pickleEntry(ZipFile zip) {
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            ZipEntry entry = e.nextElement();
            String name = entry.getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.equals(name.substring(0, slash + 1) + "data.pkl")) {
                return entry;
            }
        }
        return null;
    }

    private static ByteOrder byteOrder(ZipFile zip, String top) throws IOException {
        ZipEntry e = zip.getEntry(top + "byteorder");   // written by torch 2.1 and later
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        try (InputStream in = zip.getInputStream(e)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().equals("big")
                    ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(LEGACY_HEAD.length);
        }
    }

    private static boolean startsWith(byte[] head, byte[] prefix) {
        if (head.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (head[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
