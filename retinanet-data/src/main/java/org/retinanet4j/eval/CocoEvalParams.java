package org.retinanet4j.eval;

/**
 * The fixed parameters of COCO bounding-box evaluation, with pycocotools' exact double values.
 * pycocotools builds its thresholds with {@code numpy.linspace}, whose values differ from {@code k * 0.05} in
 * the last bit; the IoU comparisons are exact, so the same doubles are computed here the way numpy does.
 */
public final class CocoEvalParams {
    /** IoU thresholds .50:.05:.95 (T = 10). */
    public static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
    /** Recall thresholds 0:.01:1 (R = 101). */
    public static final double[] RECALL_THRESHOLDS = linspace(0.0, 1.0, 101);
    /** Detections kept per image and category, ascending (M = 3). */
    public static final int[] MAX_DETECTIONS = {1, 10, 100};
    /** Area ranges [lo, hi], both ends inclusive, in the order all, small, medium, large (A = 4). */
    public static final double[][] AREA_RANGES = {
            {0, 1e5 * 1e5}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e5 * 1e5}};
    /** Labels of {@link #AREA_RANGES}. */
    public static final String[] AREA_LABELS = {"all", "small", "medium", "large"};
    /** numpy's {@code np.spacing(1)}: keeps precision defined when there are no detections yet. */
    static final double EPS = Math.ulp(1.0);

    public static final int T = IOU_THRESHOLDS.length;
    public static final int R = RECALL_THRESHOLDS.length;
    public static final int A = AREA_RANGES.length;
    public static final int M = MAX_DETECTIONS.length;

    private CocoEvalParams() {
    }

    /** {@code numpy.linspace(start, stop, num)}: {@code i * ((stop - start) / (num - 1)) + start}, last = stop. */
    static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] v = new double[num];
        for (int i = 0; i < num; i++) {
            v[i] = i * step + start;
        }
        v[num - 1] = stop;
        return v;
    }

    /** Index of an IoU threshold (0.5 or 0.75 for the summary), as pycocotools finds it with {@code ==}. */
    public static int iouIndex(double threshold) {
        for (int t = 0; t < T; t++) {
            if (IOU_THRESHOLDS[t] == threshold) {
                return t;
            }
        }
        throw new IllegalArgumentException("no IoU threshold equals " + threshold);
    }
}
