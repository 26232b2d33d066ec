package org.retinanet4j.data.records;

import org.datavec.api.transform.schema.Schema;
import org.datavec.api.writable.BytesWritable;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.LongWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One annotated image as a DataVec record: the layout that every reader in the training path produces and that
 * {@code RetinaNetIterator} (and the Spark workers) consume. A record is a {@code List<Writable>}:
 * <table>
 *   <caption>record layout</caption>
 *   <tr><th>#</th><th>field</th><th>writable</th><th>content</th></tr>
 *   <tr><td>0</td><td>{@code image}</td><td>{@link Text} or {@link BytesWritable}</td><td>path (or {@code file:}
 *       URI) of an encoded image file, or the encoded file's bytes (JPEG, PNG, BMP, ...)</td></tr>
 *   <tr><td>1</td><td>{@code boxes}</td><td>{@link NDArrayWritable}</td><td>{@code [n, 4]} (or {@code [4n]})
 *       x1,y1,x2,y2 in pixels of the stored image, continuous coordinates (an image of width W spans [0, W]);
 *       n may be 0: an image without objects, all background</td></tr>
 *   <tr><td>2</td><td>{@code classes}</td><td>{@link NDArrayWritable}</td><td>{@code [n]} class indices
 *       0..K-1</td></tr>
 *   <tr><td>3</td><td>{@code imageId}</td><td>{@link LongWritable} or {@link IntWritable}</td><td>the dataset's
 *       image id</td></tr>
 *   <tr><td>4</td><td>{@code ignore} (optional)</td><td>{@link NDArrayWritable}</td><td>{@code [n]}: 1 marks an
 *       ignore region (COCO crowd, VOC difficult), 0 an object; absent = all 0</td></tr>
 *   <tr><td>5, 6</td><td>{@code width}, {@code height} (optional, together)</td><td>{@link IntWritable}</td>
 *       <td>the image size the boxes refer to; when given, an image that decodes to another size is skipped
 *       (an EXIF-rotated photo, a wrong file)</td></tr>
 * </table>
 * So a record has 4, 5 or 7 fields. {@link #parse} checks a record against this layout and names the record and
 * the field at fault; {@link #toWritables()} writes one. Boxes keep their image's pixel frame: resizing, flipping
 * and target encoding happen in the iterator, identically for every reader.
 *
 * @param image   {@link Text} (path) or {@link BytesWritable} (encoded bytes)
 * @param boxes   4 floats per box, x1,y1,x2,y2
 * @param classes class index per box
 * @param ignore  ignore flag per box
 * @param width   annotated width, or -1 when the record does not say
 * @param height  annotated height, or -1 when the record does not say
 */
public record DetectionRecord(Writable image, float[] boxes, int[] classes, long imageId, boolean[] ignore,
                              int width, int height) {

    public static final int IMAGE = 0;
    public static final int BOXES = 1;
    public static final int CLASSES = 2;
    public static final int IMAGE_ID = 3;
    public static final int IGNORE = 4;
    public static final int WIDTH = 5;
    public static final int HEIGHT = 6;
    /** Field names, by position, as in {@link #schema()} and in error messages. */
    public static final List<String> FIELDS = List.of("image", "boxes", "classes", "imageId", "ignore", "width",
            "height");

    public DetectionRecord {
        int n = classes.length;
        if (boxes.length != 4 * n || ignore.length != n) {
            throw new IllegalArgumentException("boxes (" + boxes.length + " values), classes (" + n
                    + ") and ignore flags (" + ignore.length + ") disagree");
        }
        if (!(image instanceof Text) && !(image instanceof BytesWritable)) {
            throw new IllegalArgumentException("image must be Text (a path) or BytesWritable, got " + image);
        }
    }

    /** A record naming an image file. */
    public static DetectionRecord of(Path image, float[] boxes, int[] classes, long imageId) {
        return new DetectionRecord(new Text(image.toString()), boxes, classes, imageId, new boolean[classes.length],
                -1, -1);
    }

    public int numBoxes() {
        return classes.length;
    }

    /** Whether the record says which size its image has. */
    public boolean hasSize() {
        return width > 0 && height > 0;
    }

    /** The image's path when the record names a file, else null (the record carries the bytes). */
    public Path imagePath() {
        if (image instanceof Text t) {
            String s = t.toString();
            return s.startsWith("file:") ? Path.of(java.net.URI.create(s)) : Path.of(s);
        }
        return null;
    }

    /** For messages: the image file, or "image id N (bytes)". */
    public String describeImage() {
        Path p = imagePath();
        return p != null ? p.toString() : "image id " + imageId + " (" + ((BytesWritable) image).length() + " bytes)";
    }

    /** The 7-field record; boxes as {@code [n, 4]}, classes and ignore flags as {@code [n]} float arrays. */
    public List<Writable> toWritables() {
        int n = numBoxes();
        float[] cls = new float[n];
        float[] ign = new float[n];
        for (int b = 0; b < n; b++) {
            cls[b] = classes[b];
            ign[b] = ignore[b] ? 1f : 0f;
        }
        List<Writable> out = new ArrayList<>(7);
        out.add(image);
        out.add(new NDArrayWritable(array(boxes, n, 4)));
        out.add(new NDArrayWritable(array(cls, n)));
        out.add(new LongWritable(imageId));
        out.add(new NDArrayWritable(array(ign, n)));
        out.add(new IntWritable(width));
        out.add(new IntWritable(height));
        return out;
    }

    /** The layout as a DataVec {@link Schema} (the image column as a string: the path form). */
    public static Schema schema() {
        return new Schema.Builder()
                .addColumnString(FIELDS.get(IMAGE))
                .addColumnNDArray(FIELDS.get(BOXES), new long[] {-1, 4})
                .addColumnNDArray(FIELDS.get(CLASSES), new long[] {-1})
                .addColumnLong(FIELDS.get(IMAGE_ID))
                .addColumnNDArray(FIELDS.get(IGNORE), new long[] {-1})
                .addColumnInteger(FIELDS.get(WIDTH))
                .addColumnInteger(FIELDS.get(HEIGHT))
                .build();
    }

    /**
     * Reads a record in this layout.
     *
     * @param where names the record in errors, e.g. "record 12 of MyReader"
     * @throws InvalidRecordException naming {@code where} and the field when the record does not fit the layout
     */
    public static DetectionRecord parse(List<Writable> record, String where) {
        if (record == null) {
            throw new InvalidRecordException(where + ": the reader returned no record (null)");
        }
        int size = record.size();
        if (size != 4 && size != 5 && size != 7) {
            throw new InvalidRecordException(where + ": expected 4, 5 or 7 fields " + FIELDS
                    + ", got " + size + ": " + preview(record));
        }
        Writable image = record.get(IMAGE);
        if (!(image instanceof Text) && !(image instanceof BytesWritable)) {
            throw new InvalidRecordException(where + ": field image must be Text (a path) or BytesWritable "
                    + "(encoded bytes), got " + typeOf(image));
        }
        if (image instanceof Text t && t.toString().isBlank()) {
            throw new InvalidRecordException(where + ": field image is an empty path");
        }
        long id = integer(record.get(IMAGE_ID), where, IMAGE_ID);
        String at = where + " (image id " + id + ")";
        float[] boxes = floats(record.get(BOXES), at, BOXES);
        INDArray boxArray = ((NDArrayWritable) record.get(BOXES)).get();
        if (boxes.length > 0 && (boxArray.rank() > 2 || boxArray.rank() == 2 && boxArray.size(1) != 4)) {
            throw new InvalidRecordException(at + ": field boxes must be [n, 4] (or [4n]), got "
                    + Arrays.toString(boxArray.shape()));
        }
        if (boxes.length % 4 != 0) {
            throw new InvalidRecordException(at + ": field boxes must hold 4 values per box, got " + boxes.length);
        }
        int n = boxes.length / 4;
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < 4; j++) {
                if (!Float.isFinite(boxes[4 * b + j])) {
                    throw new InvalidRecordException(at + ": field boxes: box " + b + " has a non-finite coordinate "
                            + boxes[4 * b + j]);
                }
            }
        }
        float[] cls = floats(record.get(CLASSES), at, CLASSES);
        if (cls.length != n) {
            throw new InvalidRecordException(at + ": field classes has " + cls.length + " entries for " + n
                    + " boxes");
        }
        int[] classes = new int[n];
        for (int b = 0; b < n; b++) {
            if (cls[b] < 0 || cls[b] != Math.rint(cls[b])) {
                throw new InvalidRecordException(at + ": field classes: box " + b + " has class " + cls[b]
                        + " (class indices are integers 0..K-1)");
            }
            classes[b] = (int) cls[b];
        }
        boolean[] ignore = new boolean[n];
        if (size >= 5) {
            float[] ign = floats(record.get(IGNORE), at, IGNORE);
            if (ign.length != n) {
                throw new InvalidRecordException(at + ": field ignore has " + ign.length + " entries for " + n
                        + " boxes");
            }
            for (int b = 0; b < n; b++) {
                ignore[b] = ign[b] != 0;
            }
        }
        int width = -1;
        int height = -1;
        if (size == 7) {
            width = (int) integer(record.get(WIDTH), at, WIDTH);
            height = (int) integer(record.get(HEIGHT), at, HEIGHT);
            if ((width > 0) != (height > 0) || width == 0 || height == 0 || width < -1 || height < -1) {
                throw new InvalidRecordException(at + ": fields width and height must both be positive (or both -1:"
                        + " unknown), got " + width + "x" + height);
            }
        }
        return new DetectionRecord(image, boxes, classes, id, ignore, width, height);
    }

    private static float[] floats(Writable w, String where, int field) {
        if (!(w instanceof NDArrayWritable nd)) {
            throw new InvalidRecordException(where + ": field " + FIELDS.get(field) + " must be an NDArrayWritable, got "
                    + typeOf(w));
        }
        INDArray a = nd.get();
        if (a == null) {
            throw new InvalidRecordException(where + ": field " + FIELDS.get(field) + " holds no array");
        }
        if (a.isEmpty()) {
            return new float[0];
        }
        if (!a.dataType().isNumerical()) {
            throw new InvalidRecordException(where + ": field " + FIELDS.get(field) + " must be numeric, got "
                    + a.dataType());
        }
        return a.castTo(DataType.FLOAT).ravel().toFloatVector();
    }

    private static long integer(Writable w, String where, int field) {
        if (w instanceof LongWritable || w instanceof IntWritable) {
            return w.toLong();
        }
        throw new InvalidRecordException(where + ": field " + FIELDS.get(field) + " must be a LongWritable or "
                + "IntWritable, got " + typeOf(w));
    }

    private static String typeOf(Writable w) {
        return w == null ? "null" : w.getClass().getSimpleName() + " (" + w + ")";
    }

    private static String preview(List<Writable> record) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < record.size(); i++) {
            Writable w = record.get(i);
            sb.append(i > 0 ? ", " : "").append(w == null ? "null" : w.getClass().getSimpleName());
        }
        return sb.append(']').toString();
    }

    private static INDArray array(float[] values, long... shape) {
        if (values.length == 0) {
            return Nd4j.create(DataType.FLOAT, shape);
        }
        return Nd4j.create(values, shape, DataType.FLOAT);
    }
}
