package org.retinanet4j.notebook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One output of a code cell, as nbformat 4 stores it.
 *
 * @param type {@code stream}, {@code execute_result} (the value of the cell's last expression) or
 *             {@code display_data} (a {@code display(...)} call)
 * @param name for a stream: {@code stdout} or {@code stderr}; otherwise null
 * @param text for a stream: the text written; otherwise null
 * @param data for a result or a display: MIME type to content ({@code text/plain} text, {@code image/png} base64);
 *             otherwise empty
 */
public record CellOutput(Type type, String name, String text, Map<String, String> data) {

    public static final String TEXT_PLAIN = "text/plain";
    public static final String IMAGE_PNG = "image/png";

    /** The nbformat {@code output_type}s the runner produces. */
    public enum Type {
        STREAM("stream"), EXECUTE_RESULT("execute_result"), DISPLAY_DATA("display_data");

        private final String json;

        Type(String json) {
            this.json = json;
        }

        /** The {@code output_type} value in the file. */
        public String json() {
            return json;
        }

        static Type fromJson(String value) {
            for (Type t : values()) {
                if (t.json.equals(value)) {
                    return t;
                }
            }
            return null;
        }
    }

    public CellOutput {
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static CellOutput stream(String name, String text) {
        return new CellOutput(Type.STREAM, name, text, Map.of());
    }

    public static CellOutput result(Map<String, String> data) {
        return new CellOutput(Type.EXECUTE_RESULT, null, null, data);
    }

    public static CellOutput display(Map<String, String> data) {
        return new CellOutput(Type.DISPLAY_DATA, null, null, data);
    }

    /** Whether this output holds a picture. */
    public boolean isImage() {
        return data.containsKey(IMAGE_PNG);
    }

    /** Short description for messages: {@code stdout}, {@code execute_result text/plain}, ... */
    public String describe() {
        return type == Type.STREAM ? name : type.json() + " " + String.join("+", data.keySet());
    }
}
