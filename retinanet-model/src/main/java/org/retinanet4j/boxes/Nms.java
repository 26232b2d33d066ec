package org.retinanet4j.boxes;

import java.util.Arrays;

/**
 * Greedy non-maximum suppression, matching torchvision 0.14's CPU {@code nms} and {@code batched_nms}.
 *
 * <p>Boxes are visited by score, highest first; equal scores keep their input order (torchvision sorts with
 * {@code stable=true}). A box is suppressed when its IoU with a kept box is strictly greater than the threshold.
 * IoU is {@link BoxIou}'s float32 kernel (torchvision's arithmetic), compared with the threshold in double
 * precision, as torchvision's kernel does. No object is allocated per box: sorting uses packed {@code long} keys.
 */
public final class Nms {

    /** torchvision switches from the coordinate-offset trick to a per-class loop above this many boxes on the CPU. */
    static final int COORDINATE_TRICK_MAX_BOXES = 1000;

    private Nms() {
    }

    /**
     * Plain NMS over the first {@code n} boxes.
     *
     * @return indices of the kept boxes, by decreasing score (ties: lower index first)
     */
    public static int[] nms(float[] boxes, float[] scores, int n, double iouThreshold) {
        checkInputs(boxes, scores, n);
        int[] order = orderByScoreDescending(scores, n);
        return suppress(boxes, order, n, iouThreshold);
    }

    /**
     * NMS applied separately per class ({@code classes[i]}), as torchvision's {@code batched_nms}: up to 1,000 boxes
     * it offsets every box by {@code class * (maxCoordinate + 1)} in float32 and runs one NMS (so IoUs are computed on
     * the offset coordinates, exactly as there); above that it runs NMS per class and sorts the kept boxes by score.
     *
     * @return indices of the kept boxes, by decreasing score
     */
    public static int[] batchedNms(float[] boxes, float[] scores, int[] classes, int n, double iouThreshold) {
        checkInputs(boxes, scores, n);
        if (classes.length < n) {
            throw new IllegalArgumentException("Nms: classes has " + classes.length + " entries, need " + n);
        }
        if (n == 0) {
            return new int[0];
        }
        if (n <= COORDINATE_TRICK_MAX_BOXES) {
            return coordinateTrick(boxes, scores, classes, n, iouThreshold);
        }
        return perClass(boxes, scores, classes, n, iouThreshold);
    }

    private static int[] coordinateTrick(float[] boxes, float[] scores, int[] classes, int n, double iouThreshold) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n * 4; i++) {
            max = Math.max(max, boxes[i]);
        }
        float step = max + 1f;
        float[] shifted = new float[n * 4];
        for (int i = 0; i < n; i++) {
            float offset = (float) classes[i] * step;
            for (int c = 0; c < 4; c++) {
                shifted[i * 4 + c] = boxes[i * 4 + c] + offset;
            }
        }
        return nms(shifted, scores, n, iouThreshold);
    }

    private static int[] perClass(float[] boxes, float[] scores, int[] classes, int n, double iouThreshold) {
        // One global score order; within a class it is that class's own order, so one pass per class suffices.
        int[] order = orderByScoreDescending(scores, n);
        int[] byClass = order.clone();
        long[] keys = new long[n];
        for (int r = 0; r < n; r++) {
            // class major, then rank: a stable grouping of the score order by class
            keys[r] = ((long) classes[order[r]] << 32) | r;
        }
        Arrays.sort(keys);
        for (int r = 0; r < n; r++) {
            byClass[r] = order[(int) keys[r]];
        }
        boolean[] kept = new boolean[n];
        int start = 0;
        while (start < n) {
            int cls = classes[byClass[start]];
            int end = start;
            while (end < n && classes[byClass[end]] == cls) {
                end++;
            }
            int[] group = Arrays.copyOfRange(byClass, start, end);
            for (int idx : suppress(boxes, group, group.length, iouThreshold)) {
                kept[idx] = true;
            }
            start = end;
        }
        int count = 0;
        int[] result = new int[n];
        for (int r = 0; r < n; r++) {
            if (kept[order[r]]) {
                result[count++] = order[r];
            }
        }
        return Arrays.copyOf(result, count);
    }

    /** Greedy suppression over boxes visited in {@code order}; returns kept indices in that order. */
    private static int[] suppress(float[] boxes, int[] order, int n, double iouThreshold) {
        // Gather in visiting order so the inner loop reads contiguous arrays.
        BoxColumns visited = new BoxColumns(boxes, order, n);
        float[] x1 = visited.x1;
        float[] y1 = visited.y1;
        float[] x2 = visited.x2;
        float[] y2 = visited.y2;
        float[] area = visited.area;
        boolean[] suppressed = new boolean[n];
        int[] keep = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (suppressed[i]) {
                continue;
            }
            keep[count++] = order[i];
            float ix1 = x1[i];
            float iy1 = y1[i];
            float ix2 = x2[i];
            float iy2 = y2[i];
            float iarea = area[i];
            for (int j = i + 1; j < n; j++) {
                if (suppressed[j]) {
                    continue;
                }
                // float32 IoU compared in double, as torchvision's kernel compares it with its double threshold
                if (BoxIou.iou(ix1, iy1, ix2, iy2, iarea, x1[j], y1[j], x2[j], y2[j], area[j]) > iouThreshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, count);
    }

    /** Indices of the first {@code n} scores, highest first, ties in index order; no boxing. */
    static int[] orderByScoreDescending(float[] scores, int n) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) descendingKey(scores[i]) << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** An int whose signed order is the descending order of the float (-0 and +0 equal). */
    private static int descendingKey(float score) {
        int bits = Float.floatToIntBits(score == 0f ? 0f : score);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
        return ~ascending;
    }

    private static void checkInputs(float[] boxes, float[] scores, int n) {
        if (n < 0 || boxes.length < n * 4L || scores.length < n) {
            throw new IllegalArgumentException("Nms: need " + n + " boxes (" + 4L * n + " values) and scores, got "
                    + boxes.length + " box values and " + scores.length + " scores");
        }
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("Nms: score " + i + " is NaN");
            }
        }
    }
}
