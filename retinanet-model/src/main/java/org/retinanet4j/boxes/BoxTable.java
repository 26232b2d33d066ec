package org.retinanet4j.boxes;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A growable table of boxes in primitive columns, one row per box: the image it belongs to, a label (class index or
 * category id), four coordinates, a value and flag bits. The owner gives the columns their meaning: evaluation keeps
 * COCO's {@code x, y, w, h} with the score (detections) or the area (ground truth) as value and crowd / difficult
 * as flags; VOC ground truth keeps corners. Coordinates are doubles, so a file's numbers survive exactly (COCO
 * evaluation compares them against thresholds as pycocotools does).
 *
 * <p>Rows keep the order they were added in (that order breaks ties in evaluation). No object per box; the backing
 * arrays grow by doubling. Not thread-safe. Serialisable, and readable by Jackson through its fields (DL4J's
 * evaluation JSON); {@link #trim()} first drops the spare capacity.
 */
public final class BoxTable implements Serializable {
    private static final long serialVersionUID = 1L;

    private long[] images;
    private int[] labels;
    private double[] boxes;
    private double[] values;
    private byte[] flags;
    private int size;

    /** An empty table with room for 16 rows. */
    public BoxTable() {
        this(16);
    }

    /** An empty table with room for {@code capacity} rows before it grows. */
    public BoxTable(int capacity) {
        int c = Math.max(1, capacity);
        images = new long[c];
        labels = new int[c];
        boxes = new double[4 * c];
        values = new double[c];
        flags = new byte[c];
    }

    /**
     * Appends a row.
     *
     * @param flags bits the owner defines (at most 8)
     * @return the row's index
     */
    public int add(long image, int label, double c0, double c1, double c2, double c3, double value, int flags) {
        if (size == images.length) {
            grow();
        }
        int r = size++;
        images[r] = image;
        labels[r] = label;
        boxes[4 * r] = c0;
        boxes[4 * r + 1] = c1;
        boxes[4 * r + 2] = c2;
        boxes[4 * r + 3] = c3;
        values[r] = value;
        this.flags[r] = (byte) flags;
        return r;
    }

    /** Appends every row of {@code other}, in its order. */
    public void addAll(BoxTable other) {
        for (int r = 0; r < other.size; r++) {
            add(other.images[r], other.labels[r], other.boxes[4 * r], other.boxes[4 * r + 1], other.boxes[4 * r + 2],
                    other.boxes[4 * r + 3], other.values[r], other.flags[r]);
        }
    }

    private void grow() {
        int c = 2 * images.length;
        images = Arrays.copyOf(images, c);
        labels = Arrays.copyOf(labels, c);
        boxes = Arrays.copyOf(boxes, 4 * c);
        values = Arrays.copyOf(values, c);
        flags = Arrays.copyOf(flags, c);
    }

    public int size() {
        return size;
    }

    public long image(int row) {
        return images[row];
    }

    public int label(int row) {
        return labels[row];
    }

    /** Coordinate {@code j} (0..3) of a row. */
    public double box(int row, int j) {
        return boxes[4 * row + j];
    }

    public double value(int row) {
        return values[row];
    }

    public int flags(int row) {
        return flags[row];
    }

    /** Whether a row has every bit of {@code flag}. */
    public boolean has(int row, int flag) {
        return (flags[row] & flag) == flag;
    }

    /**
     * The coordinate column itself, row {@code r} at {@code 4r .. 4r+3}, for loops that read many rows (the COCO
     * evaluator's IoUs). Valid for rows below {@link #size()} until the next {@link #add}; read it, do not write it.
     */
    public double[] boxArray() {
        return boxes;
    }

    /** The value column itself (scores, areas), under the same terms as {@link #boxArray()}. */
    public double[] valueArray() {
        return values;
    }

    /** Removes every row (the capacity stays). */
    public void clear() {
        size = 0;
    }

    /** Cuts the columns to the rows held, so that a serialised table carries no spare capacity. */
    public void trim() {
        int c = Math.max(1, size);
        images = Arrays.copyOf(images, c);
        labels = Arrays.copyOf(labels, c);
        boxes = Arrays.copyOf(boxes, 4 * c);
        values = Arrays.copyOf(values, c);
        flags = Arrays.copyOf(flags, c);
    }
}
