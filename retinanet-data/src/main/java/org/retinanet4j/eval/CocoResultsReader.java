package org.retinanet4j.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;

/**
 * Reads a COCO results file (a JSON array of {@code {"image_id", "category_id", "bbox": [x, y, w, h],
 * "score"}}) with Jackson's streaming parser into {@link CocoDetections}. Other fields (e.g.
 * {@code segmentation}) are skipped.
 *
 * <p>Bad input fails with an {@link IllegalArgumentException} naming the file, the record's index and the
 * field: a file that is not an array, a missing or non-numeric field, a bbox that is not 4 numbers, a negative
 * width or height, a NaN or infinite score (accepted by the parser only to be reported), and, when a ground
 * truth is given, an image_id that it does not have.
 */
public final class CocoResultsReader {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // so that NaN is reported by name, not as a syntax error
            .build();

    private CocoResultsReader() {
    }

    /** Reads {@code file}; image ids are checked against {@code groundTruth} unless it is null. */
    public static CocoDetections read(Path file, CocoGroundTruth groundTruth) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), groundTruth);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a results stream; {@code source} names it in error messages. */
    public static CocoDetections read(InputStream in, String source, CocoGroundTruth groundTruth)
            throws IOException {
        CocoDetections out = new CocoDetections(1024);
        try (JsonParser p = JSON.createParser(in)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(source + ": a COCO results file must be a JSON array of"
                        + " detections, but it starts with " + describe(first));
            }
            int index = 0;
            JsonToken tok;
            while ((tok = p.nextToken()) != JsonToken.END_ARRAY) {
                if (tok != JsonToken.START_OBJECT) {
                    throw bad(source, index, null, "is " + describe(tok) + ", not an object");
                }
                readRecord(p, source, index, groundTruth, out);
                index++;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        }
        return out;
    }

    private static void readRecord(JsonParser p, String source, int index, CocoGroundTruth gt, CocoDetections out)
            throws IOException {
        long imageId = 0;
        int categoryId = 0;
        double score = 0;
        double[] box = null;
        boolean hasImage = false;
        boolean hasCategory = false;
        boolean hasScore = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "image_id" -> {
                    imageId = integral(p, v, source, index, field);
                    hasImage = true;
                }
                case "category_id" -> {
                    long c = integral(p, v, source, index, field);
                    if (c != (int) c) {
                        throw bad(source, index, field, "is out of range: " + c);
                    }
                    categoryId = (int) c;
                    hasCategory = true;
                }
                case "score" -> {
                    score = number(p, v, source, index, field);
                    hasScore = true;
                }
                case "bbox" -> box = bbox(p, v, source, index);
                default -> p.skipChildren();
            }
        }
        if (!hasImage) {
            throw bad(source, index, "image_id", "is missing");
        }
        if (!hasCategory) {
            throw bad(source, index, "category_id", "is missing");
        }
        if (box == null) {
            throw bad(source, index, "bbox", "is missing");
        }
        if (!hasScore) {
            throw bad(source, index, "score", "is missing");
        }
        if (!Double.isFinite(score)) {
            throw bad(source, index, "score", "is " + score + "; scores must be finite numbers");
        }
        if (box[2] < 0 || box[3] < 0) {
            throw bad(source, index, "bbox", "has a negative size (width " + box[2] + ", height " + box[3] + ")");
        }
        if (gt != null && gt.imageIndex(imageId) < 0) {
            throw bad(source, index, "image_id", "is " + imageId + ", which is not an image of the ground truth");
        }
        out.add(imageId, categoryId, box[0], box[1], box[2], box[3], score);
    }

    private static double[] bbox(JsonParser p, JsonToken v, String source, int index) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw bad(source, index, "bbox", "is " + describe(v) + ", not an array [x, y, width, height]");
        }
        double[] b = new double[4];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n == 4) {
                throw bad(source, index, "bbox", "has more than 4 values");
            }
            b[n] = number(p, t, source, index, "bbox");
            if (!Double.isFinite(b[n])) {
                throw bad(source, index, "bbox", "has a non-finite value " + b[n]);
            }
            n++;
        }
        if (n != 4) {
            throw bad(source, index, "bbox", "has " + n + " values, not 4 [x, y, width, height]");
        }
        return b;
    }

    private static double number(JsonParser p, JsonToken v, String source, int index, String field)
            throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw bad(source, index, field, "is " + describe(v) + ", not a number");
        }
        return p.getDoubleValue();
    }

    private static long integral(JsonParser p, JsonToken v, String source, int index, String field)
            throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
        }
        throw bad(source, index, field, "is " + describe(v) + ", not an integer id");
    }

    private static IllegalArgumentException bad(String source, int index, String field, String what) {
        String where = source + ": detection #" + index + (field == null ? "" : " field '" + field + "'");
        return new IllegalArgumentException(where + " " + what);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing (empty file)";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }
}
