package org.retinanet4j.persist;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes {@link ModelMetadata} as JSON (Jackson streaming); {@code format} guards future changes. */
public final class ModelMetadataJson {
    /** Written into every metadata entry; readers reject other values. */
    public static final String FORMAT = "retinanet4j-model/1";
    private static final JsonFactory JSON = new JsonFactory();

    private ModelMetadataJson() {
    }

    public static byte[] toBytes(ModelMetadata m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeArrayFieldStart("classNames");
            for (String c : m.classNames()) {
                g.writeString(c);
            }
            g.writeEndArray();
            g.writeFieldName("categoryIds");
            g.writeArray(m.categoryIds(), 0, m.categoryIds().length);
            g.writeNumberField("inputHeight", m.inputHeight());
            g.writeNumberField("inputWidth", m.inputWidth());
            writeFloats(g, "mean", m.mean());
            writeFloats(g, "std", m.std());
            g.writeObjectFieldStart("anchors");
            g.writeFieldName("sizes");
            g.writeArray(m.anchors().sizes(), 0, m.anchors().sizes().length);
            g.writeFieldName("scales");
            g.writeArray(m.anchors().scales(), 0, m.anchors().scales().length);
            g.writeFieldName("aspectRatios");
            g.writeArray(m.anchors().aspectRatios(), 0, m.anchors().aspectRatios().length);
            g.writeEndObject();
            g.writeObjectFieldStart("decoder");
            g.writeNumberField("scoreThreshold", m.decoder().scoreThreshold());
            g.writeNumberField("topKPerLevel", m.decoder().topKPerLevel());
            g.writeNumberField("nmsIouThreshold", m.decoder().nmsIouThreshold());
            g.writeNumberField("detectionsPerImage", m.decoder().detectionsPerImage());
            g.writeEndObject();
            g.writeStringField("architecture", m.architecture());
            g.writeObjectFieldStart("properties");
            for (Map.Entry<String, String> e : new TreeMap<>(m.properties()).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** Parses metadata; {@code source} names the file in error messages. */
    public static ModelMetadata read(InputStream in, String source) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, source, "metadata is not a JSON object");
            String format = null;
            List<String> names = null;
            int[] ids = null;
            int h = -1;
            int w = -1;
            float[] mean = ModelMetadata.IMAGENET_MEAN;
            float[] std = ModelMetadata.IMAGENET_STD;
            AnchorSettings anchors = AnchorSettings.torchvisionDefault();
            DecoderSettings decoder = DecoderSettings.paperDefault();
            String arch = "";
            Map<String, String> props = new TreeMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "format" -> format = p.getText();
                    case "classNames" -> names = readStrings(p);
                    case "categoryIds" -> ids = toInts(readNumbers(p));
                    case "inputHeight" -> h = p.getIntValue();
                    case "inputWidth" -> w = p.getIntValue();
                    case "mean" -> mean = toFloats(readNumbers(p));
                    case "std" -> std = toFloats(readNumbers(p));
                    case "anchors" -> anchors = readAnchors(p);
                    case "decoder" -> decoder = readDecoder(p);
                    case "architecture" -> arch = p.getText();
                    case "properties" -> {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            props.put(k, p.getText());
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            expect(FORMAT.equals(format), source, "unsupported metadata format '" + format + "' (expected " + FORMAT + ")");
            expect(names != null, source, "metadata field 'classNames' is missing");
            expect(ids != null, source, "metadata field 'categoryIds' is missing");
            try {
                return new ModelMetadata(names, ids, h, w, mean, std, anchors, decoder, arch, props);
            } catch (IllegalArgumentException e) {
                throw new IOException(source + ": invalid metadata: " + e.getMessage(), e);
            }
        }
    }

    private static AnchorSettings readAnchors(JsonParser p) throws IOException {
        int[] sizes = null;
        double[] scales = null;
        double[] ratios = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "sizes" -> sizes = toInts(readNumbers(p));
                case "scales" -> scales = readNumbers(p);
                case "aspectRatios" -> ratios = readNumbers(p);
                default -> p.skipChildren();
            }
        }
        return new AnchorSettings(sizes, scales, ratios);
    }

    private static DecoderSettings readDecoder(JsonParser p) throws IOException {
        DecoderSettings d = DecoderSettings.paperDefault();
        float score = d.scoreThreshold();
        int topK = d.topKPerLevel();
        float iou = d.nmsIouThreshold();
        int perImage = d.detectionsPerImage();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "scoreThreshold" -> score = p.getFloatValue();
                case "topKPerLevel" -> topK = p.getIntValue();
                case "nmsIouThreshold" -> iou = p.getFloatValue();
                case "detectionsPerImage" -> perImage = p.getIntValue();
                default -> p.skipChildren();
            }
        }
        return new DecoderSettings(score, topK, iou, perImage);
    }

    private static void writeFloats(JsonGenerator g, String name, float[] values) throws IOException {
        g.writeArrayFieldStart(name);
        for (float v : values) {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }

    private static List<String> readStrings(JsonParser p) throws IOException {
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(p.getText());
        }
        return out;
    }

    private static double[] readNumbers(JsonParser p) throws IOException {
        List<Double> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(p.getDoubleValue());
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static int[] toInts(double[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static void expect(boolean ok, String source, String message) throws IOException {
        if (!ok) {
            throw new IOException(source + ": " + message);
        }
    }
}
