package org.retinanet4j.boxes;

/**
 * Intersection over union of axis-aligned boxes (x1, y1, x2, y2), in float32 exactly as torchvision's
 * {@code box_iou}: areas without +1, {@code inter / (area1 + area2 - inter)}.
 */
public final class BoxIou {

    private BoxIou() {
    }

    /** IoU of box {@code i} of {@code a} and box {@code j} of {@code b}. */
    public static float iou(float[] a, int i, float[] b, int j) {
        int p = i * 4;
        int q = j * 4;
        float areaA = (a[p + 2] - a[p]) * (a[p + 3] - a[p + 1]);
        float areaB = (b[q + 2] - b[q]) * (b[q + 3] - b[q + 1]);
        float w = Math.max(Math.min(a[p + 2], b[q + 2]) - Math.max(a[p], b[q]), 0f);
        float h = Math.max(Math.min(a[p + 3], b[q + 3]) - Math.max(a[p + 1], b[q + 1]), 0f);
        float inter = w * h;
        return inter / (areaA + areaB - inter);
    }

    /** Row-major {@code [n, m]} IoU matrix of the {@code n} boxes of {@code a} against the {@code m} boxes of {@code b}. */
    public static float[] matrix(float[] a, float[] b) {
        if (a.length % 4 != 0 || b.length % 4 != 0) {
            throw new IllegalArgumentException("BoxIou.matrix: box arrays need 4 values per box, got "
                    + a.length + " and " + b.length);
        }
        int n = a.length / 4;
        int m = b.length / 4;
        float[] areasB = areas(b);
        float[] out = new float[Math.multiplyExact(n, m)];
        for (int i = 0; i < n; i++) {
            int p = i * 4;
            float ax1 = a[p];
            float ay1 = a[p + 1];
            float ax2 = a[p + 2];
            float ay2 = a[p + 3];
            float areaA = (ax2 - ax1) * (ay2 - ay1);
            int row = i * m;
            for (int j = 0; j < m; j++) {
                int q = j * 4;
                float w = Math.max(Math.min(ax2, b[q + 2]) - Math.max(ax1, b[q]), 0f);
                float h = Math.max(Math.min(ay2, b[q + 3]) - Math.max(ay1, b[q + 1]), 0f);
                float inter = w * h;
                out[row + j] = inter / (areaA + areasB[j] - inter);
            }
        }
        return out;
    }

    /** Areas (x2 - x1) * (y2 - y1) of every box. */
    public static float[] areas(float[] boxes) {
        float[] areas = new float[boxes.length / 4];
        for (int i = 0; i < areas.length; i++) {
            int p = i * 4;
            areas[i] = (boxes[p + 2] - boxes[p]) * (boxes[p + 3] - boxes[p + 1]);
        }
        return areas;
    }
}
