package org.retinanet4j.boxes;

/**
 * Chosen boxes of a {@code float[]} box array (4 values per box) gathered into one array per coordinate plus
 * their {@link BoxIou#area areas}, in the order given: the layout the matcher's and NMS's inner loops read
 * contiguously, one box against thousands.
 */
public final class BoxColumns {
    /** Index into the source array of each gathered box. */
    public final int[] index;
    public final float[] x1;
    public final float[] y1;
    public final float[] x2;
    public final float[] y2;
    public final float[] area;

    /** Gathers boxes {@code index[0..n)} of {@code boxes}. */
    public BoxColumns(float[] boxes, int[] index, int n) {
        this.index = index;
        x1 = new float[n];
        y1 = new float[n];
        x2 = new float[n];
        y2 = new float[n];
        area = new float[n];
        for (int r = 0; r < n; r++) {
            int p = index[r] * 4;
            x1[r] = boxes[p];
            y1[r] = boxes[p + 1];
            x2[r] = boxes[p + 2];
            y2[r] = boxes[p + 3];
            area[r] = BoxIou.area(x1[r], y1[r], x2[r], y2[r]);
        }
    }

    public int size() {
        return x1.length;
    }
}
