package org.retinanet4j.eval;

import java.util.Arrays;

/**
 * Scored detections in COCO results form, in primitive arrays: per detection its image id, category id,
 * box {@code x, y, w, h} and score, in the order they were added (that order breaks score ties, as the
 * stable sort of pycocotools does). Invalid values are rejected when added, naming the detection's index.
 */
public final class CocoDetections {
    private long[] imageIds;
    private int[] categoryIds;
    private double[] boxes;
    private double[] scores;
    private int size;

    public CocoDetections() {
        this(64);
    }

    public CocoDetections(int capacity) {
        int c = Math.max(1, capacity);
        imageIds = new long[c];
        categoryIds = new int[c];
        boxes = new double[c * 4];
        scores = new double[c];
    }

    /**
     * Adds one detection.
     *
     * @throws IllegalArgumentException for a negative width or height, a non-finite coordinate or a score that
     *                                  is not a finite number; the message names the detection's index
     */
    public CocoDetections add(long imageId, int categoryId, double x, double y, double w, double h, double score) {
        String bad = null;
        if (Double.isNaN(score) || Double.isInfinite(score)) {
            bad = "score is " + score;
        } else if (!(Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(w) && Double.isFinite(h))) {
            bad = "bbox has a non-finite value [" + x + ", " + y + ", " + w + ", " + h + "]";
        } else if (w < 0 || h < 0) {
            bad = "bbox has a negative size (w " + w + ", h " + h + ")";
        }
        if (bad != null) {
            throw new IllegalArgumentException("detection #" + size + " (image_id " + imageId + "): " + bad);
        }
        if (size == scores.length) {
            int n = size * 2;
            imageIds = Arrays.copyOf(imageIds, n);
            categoryIds = Arrays.copyOf(categoryIds, n);
            boxes = Arrays.copyOf(boxes, n * 4);
            scores = Arrays.copyOf(scores, n);
        }
        imageIds[size] = imageId;
        categoryIds[size] = categoryId;
        boxes[size * 4] = x;
        boxes[size * 4 + 1] = y;
        boxes[size * 4 + 2] = w;
        boxes[size * 4 + 3] = h;
        scores[size] = score;
        size++;
        return this;
    }

    /** Appends all detections of {@code other} after this one's (used when merging workers' results). */
    public CocoDetections addAll(CocoDetections other) {
        for (int i = 0; i < other.size; i++) {
            add(other.imageIds[i], other.categoryIds[i], other.boxes[i * 4], other.boxes[i * 4 + 1],
                    other.boxes[i * 4 + 2], other.boxes[i * 4 + 3], other.scores[i]);
        }
        return this;
    }

    public int size() {
        return size;
    }

    public long imageId(int i) {
        return imageIds[i];
    }

    public int categoryId(int i) {
        return categoryIds[i];
    }

    public double score(int i) {
        return scores[i];
    }

    /** Coordinate {@code j} (0 x, 1 y, 2 w, 3 h) of detection {@code i}. */
    public double box(int i, int j) {
        return boxes[i * 4 + j];
    }

    double[] boxArray() {
        return boxes;
    }

    double[] scoreArray() {
        return scores;
    }
}
