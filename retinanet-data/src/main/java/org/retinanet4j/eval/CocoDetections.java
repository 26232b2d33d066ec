package org.retinanet4j.eval;

import org.retinanet4j.boxes.BoxTable;

/**
 * Scored detections in COCO results form: per detection its image id, category id, box {@code x, y, w, h} and
 * score, in the order they were added (that order breaks score ties, as the stable sort of pycocotools does), held
 * in a {@link BoxTable} (score as its value). Invalid values are rejected when added, naming the detection's index.
 */
public final class CocoDetections {
    private final BoxTable table;

    public CocoDetections() {
        this(64);
    }

    public CocoDetections(int capacity) {
        table = new BoxTable(capacity);
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
            throw new IllegalArgumentException("detection #" + table.size() + " (image_id " + imageId + "): " + bad);
        }
        table.add(imageId, categoryId, x, y, w, h, score, 0);
        return this;
    }

    /** Appends all detections of {@code other} after this one's (used when merging workers' results). */
    public CocoDetections addAll(CocoDetections other) {
        table.addAll(other.table);
        return this;
    }

    public int size() {
        return table.size();
    }

    public long imageId(int i) {
        return table.image(i);
    }

    public int categoryId(int i) {
        return table.label(i);
    }

    public double score(int i) {
        return table.value(i);
    }

    /** Coordinate {@code j} (0 x, 1 y, 2 w, 3 h) of detection {@code i}. */
    public double box(int i, int j) {
        return table.box(i, j);
    }

    double[] boxArray() {
        return table.boxArray();
    }

    double[] scoreArray() {
        return table.valueArray();
    }
}
