package org.retinanet4j.eval;

import static org.retinanet4j.eval.CocoEvalParams.A;
import static org.retinanet4j.eval.CocoEvalParams.M;
import static org.retinanet4j.eval.CocoEvalParams.R;
import static org.retinanet4j.eval.CocoEvalParams.T;

import java.util.Locale;

/**
 * What {@link CocoEvaluator} computed: pycocotools' {@code eval['precision']} ({@code [T, R, K, A, M]}) and
 * {@code eval['recall']} ({@code [T, K, A, M]}), both -1 where a category has no ground truth in that setting,
 * with the summary statistics, per-category AP and precision/recall curves derived from them.
 */
public final class CocoEvalResult {
    private final int[] categoryIds;
    private final String[] categoryNames;
    private final double[] precision;
    private final double[] recall;
    private final int k0;
    private final int numDetections;
    private final int unknownCategoryDetections;

    CocoEvalResult(CocoGroundTruth gt, double[] precision, double[] recall, int numDetections,
                   int unknownCategoryDetections) {
        this.numDetections = numDetections;
        this.unknownCategoryDetections = unknownCategoryDetections;
        this.k0 = gt.numCategories();
        this.categoryIds = new int[k0];
        for (int k = 0; k < k0; k++) {
            categoryIds[k] = gt.categoryId(k);
        }
        this.categoryNames = gt.categoryNames();
        this.precision = precision;
        this.recall = recall;
    }

    /** Detections given to the evaluator. */
    public int numDetections() {
        return numDetections;
    }

    /** Detections left out because the ground truth has no such category (pycocotools leaves them out too). */
    public int unknownCategoryDetections() {
        return unknownCategoryDetections;
    }

    public int numCategories() {
        return k0;
    }

    /** Category id of dense index {@code k} (ascending ids). */
    public int categoryId(int k) {
        return categoryIds[k];
    }

    public String categoryName(int k) {
        return categoryNames[k];
    }

    /** Interpolated precision at IoU index t, recall index r, category k, area index a, maxDets index m. */
    public double precision(int t, int r, int k, int a, int m) {
        return precision[(((t * R + r) * k0 + k) * A + a) * M + m];
    }

    /** Recall reached at IoU index t, category k, area index a, maxDets index m (-1: no ground truth). */
    public double recall(int t, int k, int a, int m) {
        return recall[((t * k0 + k) * A + a) * M + m];
    }

    /** The 12 summary statistics, computed as {@code COCOeval.summarize()} does. */
    public CocoStats stats() {
        int all = 0;
        int m100 = M - 1;
        return CocoStats.of(new double[] {
                summarize(true, -1, all, m100),
                summarize(true, CocoEvalParams.iouIndex(0.5), all, m100),
                summarize(true, CocoEvalParams.iouIndex(0.75), all, m100),
                summarize(true, -1, 1, m100),
                summarize(true, -1, 2, m100),
                summarize(true, -1, 3, m100),
                summarize(false, -1, all, 0),
                summarize(false, -1, all, 1),
                summarize(false, -1, all, m100),
                summarize(false, -1, 1, m100),
                summarize(false, -1, 2, m100),
                summarize(false, -1, 3, m100)});
    }

    /**
     * Mean over the non-negative entries of one setting (all IoU thresholds when {@code t < 0}), over recall
     * thresholds and categories for AP, over categories for AR; -1 when there are none. Entries are visited in
     * numpy's C order, as {@code s[s > -1]} flattens them.
     */
    double summarize(boolean ap, int t, int a, int m) {
        int t0 = t < 0 ? 0 : t;
        int t1 = t < 0 ? T : t + 1;
        double[] vals = new double[(t1 - t0) * (ap ? R : 1) * k0];
        int n = 0;
        for (int ti = t0; ti < t1; ti++) {
            if (ap) {
                for (int r = 0; r < R; r++) {
                    for (int k = 0; k < k0; k++) {
                        double v = precision(ti, r, k, a, m);
                        if (v > -1) {
                            vals[n++] = v;
                        }
                    }
                }
            } else {
                for (int k = 0; k < k0; k++) {
                    double v = recall(ti, k, a, m);
                    if (v > -1) {
                        vals[n++] = v;
                    }
                }
            }
        }
        return n == 0 ? -1 : NumpyMean.mean(vals, n);
    }

    /** AP of category index {@code k} at IoU .50:.95, all areas, 100 detections; -1 without ground truth. */
    public double categoryAp(int k) {
        return categoryAp(k, -1);
    }

    /** AP of category index {@code k} at IoU index {@code t} ({@code t < 0}: mean over .50:.95). */
    public double categoryAp(int k, int t) {
        int t0 = t < 0 ? 0 : t;
        int t1 = t < 0 ? T : t + 1;
        double[] vals = new double[(t1 - t0) * R];
        int n = 0;
        for (int ti = t0; ti < t1; ti++) {
            for (int r = 0; r < R; r++) {
                double v = precision(ti, r, k, 0, M - 1);
                if (v > -1) {
                    vals[n++] = v;
                }
            }
        }
        return n == 0 ? -1 : NumpyMean.mean(vals, n);
    }

    /**
     * Interpolated precision of category {@code k} at the 101 recall thresholds
     * ({@link CocoEvalParams#RECALL_THRESHOLDS}), IoU index {@code t}, all areas, 100 detections; null when
     * the category has no ground truth.
     */
    public double[] precisionRecallCurve(int k, int t) {
        if (precision(t, 0, k, 0, M - 1) < 0) {
            return null;
        }
        double[] curve = new double[R];
        for (int r = 0; r < R; r++) {
            curve[r] = precision(t, r, k, 0, M - 1);
        }
        return curve;
    }

    /** The summary as pycocotools prints it (12 lines). */
    public String summaryTable() {
        double[] s = stats().toArray();
        StringBuilder b = new StringBuilder();
        String[] areas = {"all", "all", "all", "small", "medium", "large", "all", "all", "all", "small", "medium",
                "large"};
        int[] maxDets = {100, 100, 100, 100, 100, 100, 1, 10, 100, 100, 100, 100};
        String[] ious = {"0.50:0.95", "0.50", "0.75"};
        for (int i = 0; i < 12; i++) {
            boolean ap = i < 6;
            String iou = i == 1 ? ious[1] : i == 2 ? ious[2] : ious[0];
            b.append(String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %.3f%n",
                    ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iou, areas[i],
                    maxDets[i], s[i]));
        }
        return b.toString();
    }
}
