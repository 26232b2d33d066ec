package org.retinanet4j.persist;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.retinanet4j.spec.RetinaNetSpec;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Reads and writes {@link ModelMetadata} as JSON (Jackson). Writes format {@value #FORMAT}: {@code format},
 * {@code classNames}, {@code categoryIds}, {@code spec} (the {@link RetinaNetSpec}, every component by name) and
 * {@code properties}. Reading is strict: an unknown, missing or invalid field is an error naming the file and
 * the field. Files of format {@value Format1Metadata#FORMAT} (written before the spec existed) are read by
 * {@link Format1Metadata}, which needs the graph configuration to recover the architecture.
 */
public final class ModelMetadataJson {
    /** Written into every metadata entry. */
    public static final String FORMAT = "retinanet4j-model/2";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

    /** The file's layout: records serialise their components in declaration order. */
    private record File(String format, List<String> classNames, int[] categoryIds, RetinaNetSpec spec,
                        Map<String, String> properties) {
    }

    private ModelMetadataJson() {
    }

    public static byte[] toBytes(ModelMetadata m) {
        try {
            return JSON.writeValueAsBytes(new File(FORMAT, m.classNames(), m.categoryIds(), m.spec(),
                    new TreeMap<>(m.properties())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
    }

    /**
     * Parses metadata; {@code source} names the file in error messages. {@code graphConfiguration} gives the
     * graph's DL4J configuration JSON, read only for a format-1 file.
     */
    public static ModelMetadata read(byte[] json, Supplier<String> graphConfiguration, String source)
            throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException(source + ": metadata is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(source + ": metadata is not a JSON object");
        }
        String format = root.path("format").asText(null);
        if (Format1Metadata.FORMAT.equals(format)) {
            return Format1Metadata.read(root, JSON.readTree(graphConfiguration.get()), source);
        }
        if (!FORMAT.equals(format)) {
            throw new IOException(source + ": unsupported metadata format '" + format + "' (expected " + FORMAT
                    + " or " + Format1Metadata.FORMAT + ")");
        }
        File f;
        try {
            f = JSON.treeToValue(root, File.class);
        } catch (JsonProcessingException e) {
            throw new IOException(source + ": invalid metadata: " + describe(e), e);
        }
        try {
            return new ModelMetadata(f.spec(), f.classNames(), f.categoryIds(), f.properties());
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": invalid metadata: " + e.getMessage(), e);
        }
    }

    /** Jackson's message without its source excerpt, plus the path of the field, e.g. {@code spec.headDepth}. */
    private static String describe(JsonProcessingException e) {
        StringBuilder path = new StringBuilder();
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
        }
        Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : null;
        String why = cause != null ? cause.getMessage() : e.getOriginalMessage();
        return (path.length() > 0 ? "field '" + path + "': " : "") + why;
    }
}
