package org.retinanet4j.anchors;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Reads the torchvision golden fixtures written by {@code tools/make_anchor_fixtures.py}. */
public final class AnchorFixtures {

    private AnchorFixtures() {
    }

    /** The fixture {@code fixtures/anchors/<name>} as nested maps, lists, numbers and strings. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> load(String name) {
        String path = "/fixtures/anchors/" + name;
        try (InputStream in = AnchorFixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path + " (run tools/make_anchor_fixtures.py)");
            }
            try (JsonParser parser = new JsonFactory().createParser(in)) {
                parser.nextToken();
                return (Map<String, Object>) read(parser);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    p.nextToken();
                    map.put(key, read(p));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return list;
            }
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_STRING:
                return p.getText();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected JSON token " + t);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    /** A (nested) list of numbers flattened to float32 values (exact for values written from float32 tensors). */
    public static float[] floats(Object o) {
        List<Float> out = new ArrayList<>();
        flatten(o, out);
        float[] r = new float[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }

    private static void flatten(Object o, List<Float> out) {
        if (o instanceof List<?> l) {
            for (Object e : l) {
                flatten(e, out);
            }
        } else {
            out.add(((Number) o).floatValue());
        }
    }

    public static int[] ints(Object o) {
        List<Object> l = list(o);
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ((Number) l.get(i)).intValue();
        }
        return r;
    }

    public static int integer(Object o) {
        return ((Number) o).intValue();
    }

    public static double number(Object o) {
        return ((Number) o).doubleValue();
    }

    /** SHA-256 of the float32 little-endian bytes, as the fixture script hashes anchors. */
    public static String sha256(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
