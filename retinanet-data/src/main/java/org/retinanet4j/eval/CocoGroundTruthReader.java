package org.retinanet4j.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads what evaluation needs from a COCO instances file (image ids, categories, and per annotation image_id,
 * category_id, bbox, area, iscrowd) with Jackson's streaming parser, keeping coordinates and areas as the
 * doubles written in the file: IoU thresholds are compared exactly, so the values must be pycocotools' own.
 * Everything else (segmentations, captions, licences) is skipped unread.
 *
 * <p>Bad input fails with an {@link IllegalArgumentException} naming the file, the annotation's index and the
 * field. A missing {@code iscrowd} counts as 0.
 */
public final class CocoGroundTruthReader {
    private static final JsonFactory JSON = new JsonFactory();

    private CocoGroundTruthReader() {
    }

    public static CocoGroundTruth read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    public static CocoGroundTruth read(InputStream in, String source) throws IOException {
        CocoGroundTruth.Builder b = CocoGroundTruth.builder();
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(source + ": a COCO instances file must be a JSON object with"
                        + " images, annotations and categories");
            }
            boolean images = false;
            boolean categories = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String section = p.currentName();
                JsonToken v = p.nextToken();
                switch (section) {
                    case "images" -> {
                        forEachRecord(p, v, source, section, (q, i) -> b.addImage(readImageId(q, source, i)));
                        images = true;
                    }
                    case "categories" -> {
                        forEachRecord(p, v, source, section, (q, i) -> readCategory(q, source, i, b));
                        categories = true;
                    }
                    case "annotations" -> forEachRecord(p, v, source, section,
                            (q, i) -> readAnnotation(q, source, i, b));
                    default -> p.skipChildren();
                }
            }
            if (!images || !categories) {
                throw new IllegalArgumentException(source + ": the '" + (images ? "categories" : "images")
                        + "' list is missing");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr(), e);
        }
        return b.build();
    }

    private interface RecordReader {
        void read(JsonParser p, int index) throws IOException;
    }

    private static void forEachRecord(JsonParser p, JsonToken v, String source, String section, RecordReader r)
            throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException(source + ": '" + section + "' must be an array");
        }
        int i = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(source + ": " + section + " #" + i + " is not an object");
            }
            r.read(p, i++);
        }
    }

    private static long readImageId(JsonParser p, String source, int index) throws IOException {
        Long id = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("id")) {
                id = integral(p, v, source, "image", index, f);
            } else {
                p.skipChildren();
            }
        }
        if (id == null) {
            throw bad(source, "image", index, "id", "is missing");
        }
        return id;
    }

    private static void readCategory(JsonParser p, String source, int index, CocoGroundTruth.Builder b)
            throws IOException {
        Long id = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("id")) {
                id = integral(p, v, source, "category", index, f);
            } else if (f.equals("name") && v == JsonToken.VALUE_STRING) {
                name = p.getText();
            } else {
                p.skipChildren();
            }
        }
        if (id == null || id != id.intValue()) {
            throw bad(source, "category", index, "id", id == null ? "is missing" : "is out of range: " + id);
        }
        b.addCategory(id.intValue(), name == null ? String.valueOf(id) : name);
    }

    private static void readAnnotation(JsonParser p, String source, int index, CocoGroundTruth.Builder b)
            throws IOException {
        Long imageId = null;
        Long categoryId = null;
        double[] box = null;
        double area = Double.NaN;
        boolean crowd = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "image_id" -> imageId = integral(p, v, source, "annotation", index, f);
                case "category_id" -> categoryId = integral(p, v, source, "annotation", index, f);
                case "area" -> area = number(p, v, source, index, f);
                case "iscrowd" -> crowd = v == JsonToken.VALUE_TRUE
                        || (v != JsonToken.VALUE_FALSE && integral(p, v, source, "annotation", index, f) != 0);
                case "bbox" -> box = bbox(p, v, source, index);
                default -> p.skipChildren();
            }
        }
        if (imageId == null) {
            throw bad(source, "annotation", index, "image_id", "is missing");
        }
        if (categoryId == null || categoryId != categoryId.intValue()) {
            throw bad(source, "annotation", index, "category_id",
                    categoryId == null ? "is missing" : "is out of range: " + categoryId);
        }
        if (box == null) {
            throw bad(source, "annotation", index, "bbox", "is missing");
        }
        if (Double.isNaN(area)) {
            throw bad(source, "annotation", index, "area", "is missing (COCO's area decides small/medium/large)");
        }
        b.addAnnotation(imageId, categoryId.intValue(), box[0], box[1], box[2], box[3], area, crowd);
    }

    private static double[] bbox(JsonParser p, JsonToken v, String source, int index) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw bad(source, "annotation", index, "bbox", "is not an array [x, y, width, height]");
        }
        double[] box = new double[4];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n == 4) {
                throw bad(source, "annotation", index, "bbox", "has more than 4 values");
            }
            box[n++] = number(p, t, source, index, "bbox");
        }
        if (n != 4) {
            throw bad(source, "annotation", index, "bbox", "has " + n + " values, not 4");
        }
        if (box[2] < 0 || box[3] < 0) {
            throw bad(source, "annotation", index, "bbox", "has a negative size (width " + box[2]
                    + ", height " + box[3] + ")");
        }
        return box;
    }

    private static double number(JsonParser p, JsonToken v, String source, int index, String field)
            throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw bad(source, "annotation", index, field, "is not a number");
        }
        return p.getDoubleValue();
    }

    private static long integral(JsonParser p, JsonToken v, String source, String kind, int index, String field)
            throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (v == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())) {
            return (long) p.getDoubleValue();
        }
        throw bad(source, kind, index, field, "is not an integer");
    }

    private static IllegalArgumentException bad(String source, String kind, int index, String field, String what) {
        return new IllegalArgumentException(source + ": " + kind + " #" + index + " field '" + field + "' " + what);
    }
}
