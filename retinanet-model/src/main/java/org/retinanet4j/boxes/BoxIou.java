package org.retinanet4j.boxes;

/**
 * The project's one intersection-over-union kernel, for boxes given by corners (x1, y1, x2, y2).
 *
 * <p>{@link #iou(float, float, float, float, float, float, float, float, float, float) float32} is torchvision's
 * {@code box_iou} and the IoU inside its CPU {@code nms} kernel, operation for operation: areas without +1, overlap
 * {@code min(x2) - max(x1)} clamped at 0, {@code inter / (areaA + areaB - inter)}. The matcher, NMS and
 * {@link #matrix} all call it, so their ties and threshold decisions are torchvision's.
 *
 * <p>{@link #intersection(double, double, double, double, double, double, double, double, double) float64} is the
 * overlap area the evaluation compares against its thresholds; pycocotools and the VOC devkit compute it in double
 * precision, and each adds its own union (COCO's crowd rule, VOC's +1 pixel convention) on top.
 */
public final class BoxIou {

    private BoxIou() {
    }

    /**
     * IoU of box A and box B in float32, torchvision's {@code box_iou} operation for operation: overlap sides
     * {@code min(x2) - max(x1)} clamped at 0, {@code inter / (areaA + areaB - inter)}. {@code areaA} and
     * {@code areaB} are the boxes' {@link #area areas}, which callers compute once per box (NMS compares one box
     * against thousands). Branch-free: NMS visits overlapping and separate pairs in no predictable order.
     */
    public static float iou(float ax1, float ay1, float ax2, float ay2, float areaA,
                            float bx1, float by1, float bx2, float by2, float areaB) {
        float w = Math.max(0f, Math.min(ax2, bx2) - Math.max(ax1, bx1));
        float h = Math.max(0f, Math.min(ay2, by2) - Math.max(ay1, by1));
        float inter = w * h;
        return inter / (areaA + areaB - inter);
    }

    /**
     * Whether two boxes share area (both overlap sides positive). Where they do not, {@link #iou} of boxes with
     * positive areas is exactly 0 (0 divided by a positive union), so a caller scanning long runs of separate
     * pairs in spatial order (the matcher: anchors against ground truth) tests this first and skips the division;
     * the JIT shares the min/max between the two calls.
     */
    public static boolean overlap(float ax1, float ay1, float ax2, float ay2,
                                  float bx1, float by1, float bx2, float by2) {
        return Math.min(ax2, bx2) - Math.max(ax1, bx1) > 0f && Math.min(ay2, by2) - Math.max(ay1, by1) > 0f;
    }

    /** Area {@code (x2 - x1) * (y2 - y1)} in float32, as torchvision's {@code box_area}. */
    public static float area(float x1, float y1, float x2, float y2) {
        return (x2 - x1) * (y2 - y1);
    }

    /** IoU of box {@code i} of {@code a} and box {@code j} of {@code b} (4 values per box). */
    public static float iou(float[] a, int i, float[] b, int j) {
        int p = i * 4;
        int q = j * 4;
        return iou(a[p], a[p + 1], a[p + 2], a[p + 3], area(a[p], a[p + 1], a[p + 2], a[p + 3]),
                b[q], b[q + 1], b[q + 2], b[q + 3], area(b[q], b[q + 1], b[q + 2], b[q + 3]));
    }

    /** Row-major {@code [n, m]} IoU matrix of the {@code n} boxes of {@code a} against the {@code m} of {@code b}. */
    public static float[] matrix(float[] a, float[] b) {
        if (a.length % 4 != 0 || b.length % 4 != 0) {
            throw new IllegalArgumentException("BoxIou.matrix: box arrays need 4 values per box, got "
                    + a.length + " and " + b.length);
        }
        int n = a.length / 4;
        int m = b.length / 4;
        float[] areasA = areas(a);
        float[] areasB = areas(b);
        float[] out = new float[Math.multiplyExact(n, m)];
        for (int i = 0; i < n; i++) {
            int p = i * 4;
            for (int j = 0; j < m; j++) {
                int q = j * 4;
                out[i * m + j] = iou(a[p], a[p + 1], a[p + 2], a[p + 3], areasA[i], b[q], b[q + 1], b[q + 2], b[q + 3],
                        areasB[j]);
            }
        }
        return out;
    }

    /** Areas (x2 - x1) * (y2 - y1) of every box. */
    public static float[] areas(float[] boxes) {
        float[] areas = new float[boxes.length / 4];
        for (int i = 0; i < areas.length; i++) {
            int p = i * 4;
            areas[i] = area(boxes[p], boxes[p + 1], boxes[p + 2], boxes[p + 3]);
        }
        return areas;
    }

    /**
     * Overlap area of two boxes in double precision: {@code (min(x2) - max(x1) + pixel) * (min(y2) - max(y1) +
     * pixel)}, or 0 where either side is not positive. {@code pixel} is 0 for continuous coordinates (pycocotools'
     * {@code bbIou}) and 1 for the VOC devkit's inclusive integer pixel boxes; adding 0 changes no value, so both
     * evaluators get their reference's numbers from this one function.
     */
    public static double intersection(double ax1, double ay1, double ax2, double ay2,
                                      double bx1, double by1, double bx2, double by2, double pixel) {
        double w = Math.min(ax2, bx2) - Math.max(ax1, bx1) + pixel;
        if (w <= 0) {
            return 0;
        }
        double h = Math.min(ay2, by2) - Math.max(ay1, by1) + pixel;
        if (h <= 0) {
            return 0;
        }
        return w * h;
    }
}
