package org.retinanet4j.eval;

import static org.retinanet4j.eval.CocoEvalParams.A;
import static org.retinanet4j.eval.CocoEvalParams.AREA_RANGES;
import static org.retinanet4j.eval.CocoEvalParams.EPS;
import static org.retinanet4j.eval.CocoEvalParams.IOU_THRESHOLDS;
import static org.retinanet4j.eval.CocoEvalParams.M;
import static org.retinanet4j.eval.CocoEvalParams.MAX_DETECTIONS;
import static org.retinanet4j.eval.CocoEvalParams.R;
import static org.retinanet4j.eval.CocoEvalParams.RECALL_THRESHOLDS;
import static org.retinanet4j.eval.CocoEvalParams.T;

import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * COCO bounding-box evaluation with the semantics of pycocotools' {@code COCOeval} ({@code evaluate},
 * {@code accumulate}, {@code summarize}), on primitive arrays.
 *
 * <p>Detections and ground truth are grouped by (category, image) with one sort of packed keys; each category
 * is matched image by image and accumulated before the next one starts, so memory stays proportional to the
 * input. The matching rules are pycocotools': per image and category the top 100 detections by score (stable
 * order), greedy matching in score order at each IoU threshold, crowd regions and boxes outside the area range
 * ignored (a detection matched to one is ignored, an unmatched detection outside the area range is ignored),
 * and the 101-point interpolated precision.
 *
 * <p>Not thread-safe (scratch buffers); use one instance per thread.
 */
public final class CocoEvaluator {
    private static final Logger log = LoggerFactory.getLogger(CocoEvaluator.class);
    private static final byte MATCHED = 1;
    private static final byte IGNORED = 2;
    private static final int MAX_DET = MAX_DETECTIONS[M - 1];
    private static final long INDEX_MASK = (1L << 31) - 1;

    // per-category buffers, grown on demand
    private int capacity;
    private double[] catScore = new double[0];
    private int[] catRank = new int[0];
    private byte[] flags = new byte[0];
    private int[] order = new int[0];
    private int[] sortScratch = new int[0];
    private double[] rc = new double[0];
    private double[] pr = new double[0];
    // per-image buffers
    private int[] groupDt = new int[16];
    private int[] groupScratch = new int[16];
    private int[] groupGt = new int[16];
    private int[] perm = new int[16];
    private boolean[] gtIg = new boolean[16];
    private boolean[] gtMatched = new boolean[16];
    private boolean[] crowdOfGroup = new boolean[16];
    private double[] iou = new double[256];
    private final long[] npig = new long[A];

    /**
     * Evaluates {@code detections} against {@code groundTruth}.
     *
     * @throws IllegalArgumentException when a detection names an image that the ground truth does not have
     *                                  (pycocotools refuses such results too); the message names the detection
     */
    public CocoEvalResult evaluate(CocoGroundTruth groundTruth, CocoDetections detections) {
        int nI = groundTruth.numImages();
        int k0 = groundTruth.numCategories();
        if ((long) nI * k0 >= 1L << 32) {
            // group keys (category * images + image) share a long with a 31-bit record index
            throw new IllegalArgumentException(nI + " images x " + k0 + " categories exceed the evaluator's 2^32"
                    + " (image, category) groups");
        }
        long[] gtKeys = groundTruthKeys(groundTruth, nI);
        long[] dtKeys = detectionKeys(groundTruth, detections, nI);
        int unknownCategory = detections.size() - dtKeys.length;

        double[] precision = new double[T * R * k0 * A * M];
        double[] recall = new double[T * k0 * A * M];
        Arrays.fill(precision, -1);
        Arrays.fill(recall, -1);

        int gp = 0;
        int dp = 0;
        for (int k = 0; k < k0; k++) {
            long catEnd = (long) (k + 1) * nI;
            int gEnd = gp;
            while (gEnd < gtKeys.length && (gtKeys[gEnd] >>> 31) < catEnd) {
                gEnd++;
            }
            int dEnd = dp;
            while (dEnd < dtKeys.length && (dtKeys[dEnd] >>> 31) < catEnd) {
                dEnd++;
            }
            ensureCategoryCapacity(dEnd - dp);
            Arrays.fill(npig, 0);
            int placed = 0;
            boolean anyImage = false;
            while (gp < gEnd || dp < dEnd) {
                long group = Math.min(gp < gEnd ? gtKeys[gp] >>> 31 : Long.MAX_VALUE,
                        dp < dEnd ? dtKeys[dp] >>> 31 : Long.MAX_VALUE);
                int nGt = 0;
                while (gp < gEnd && (gtKeys[gp] >>> 31) == group) {
                    groupGt = grow(groupGt, nGt + 1);
                    groupGt[nGt++] = (int) (gtKeys[gp++] & INDEX_MASK);
                }
                int nDt = 0;
                while (dp < dEnd && (dtKeys[dp] >>> 31) == group) {
                    groupDt = grow(groupDt, nDt + 1);
                    groupDt[nDt++] = (int) (dtKeys[dp++] & INDEX_MASK);
                }
                groupScratch = grow(groupScratch, nDt);
                StableScoreSort.sortDescending(groupDt, 0, nDt, detections.scoreArray(), groupScratch);
                nDt = Math.min(nDt, MAX_DET);
                evaluateImage(groundTruth, detections, nGt, nDt, placed);
                for (int d = 0; d < nDt; d++) {
                    catScore[placed + d] = detections.score(groupDt[d]);
                    catRank[placed + d] = d;
                }
                placed += nDt;
                anyImage = true;
            }
            if (anyImage) {
                accumulateCategory(k, k0, placed, precision, recall);
            }
        }
        return new CocoEvalResult(groundTruth, precision, recall, detections.size(), unknownCategory);
    }

    private static long[] groundTruthKeys(CocoGroundTruth gt, int nI) {
        int n = gt.numAnnotations();
        long[] keys = new long[n];
        for (int a = 0; a < n; a++) {
            keys[a] = (((long) gt.annCategory(a) * nI + gt.annImage(a)) << 31) | a;
        }
        Arrays.sort(keys); // the index in the low bits keeps file order within a group
        return keys;
    }

    private static long[] detectionKeys(CocoGroundTruth gt, CocoDetections dt, int nI) {
        int n = dt.size();
        long[] keys = new long[n];
        int kept = 0;
        int unknownCategory = 0;
        for (int i = 0; i < n; i++) {
            int img = gt.imageIndex(dt.imageId(i));
            if (img < 0) {
                throw new IllegalArgumentException("detection #" + i + ": image_id " + dt.imageId(i)
                        + " is not an image of the ground truth");
            }
            int k = gt.categoryIndex(dt.categoryId(i));
            if (k < 0) {
                unknownCategory++;
                continue;
            }
            keys[kept++] = (((long) k * nI + img) << 31) | i;
        }
        if (unknownCategory > 0) {
            log.warn("{} of {} detections name a category that the ground truth does not have; they are left out"
                    + " of the statistics, as pycocotools leaves them out", unknownCategory, n);
        }
        keys = Arrays.copyOf(keys, kept);
        Arrays.sort(keys);
        return keys;
    }

    /** pycocotools' {@code evaluateImg} for one image and category, all area ranges and IoU thresholds. */
    private void evaluateImage(CocoGroundTruth gt, CocoDetections dt, int nGt, int nDt, int placed) {
        iou = growD(iou, nGt * nDt);
        perm = grow(perm, nGt);
        gtIg = growB(gtIg, nGt);
        gtMatched = growB(gtMatched, nGt);
        crowdOfGroup = growB(crowdOfGroup, nGt);
        boolean[] crowd = gt.crowdFlags();
        double[] areas = gt.areas();
        double[] dtBoxes = dt.boxArray();
        for (int g = 0; g < nGt; g++) {
            crowdOfGroup[g] = crowd[groupGt[g]];
        }
        CrowdAwareIou.compute(dtBoxes, groupDt, nDt, gt.boxes(), crowd, groupGt, nGt, iou);
        for (int a = 0; a < A; a++) {
            double lo = AREA_RANGES[a][0];
            double hi = AREA_RANGES[a][1];
            // ground truth ignored for this range goes last, otherwise file order (stable argsort)
            int j = 0;
            for (int g = 0; g < nGt; g++) {
                double area = areas[groupGt[g]];
                if (!(crowd[groupGt[g]] || area < lo || area > hi)) {
                    perm[j++] = g;
                }
            }
            npig[a] += j;
            for (int g = 0; g < nGt; g++) {
                double area = areas[groupGt[g]];
                if (crowd[groupGt[g]] || area < lo || area > hi) {
                    perm[j++] = g;
                }
            }
            for (int g = 0; g < nGt; g++) {
                int o = groupGt[perm[g]];
                gtIg[g] = crowd[o] || areas[o] < lo || areas[o] > hi;
            }
            for (int t = 0; t < T; t++) {
                int base = (a * T + t) * capacity + placed;
                Arrays.fill(gtMatched, 0, nGt, false);
                double threshold = Math.min(IOU_THRESHOLDS[t], 1 - 1e-10);
                for (int d = 0; d < nDt; d++) {
                    int m = nGt > 0 ? match(d, nGt, threshold) : -1;
                    byte f;
                    if (m >= 0) {
                        gtMatched[m] = true;
                        f = gtIg[m] ? (byte) (MATCHED | IGNORED) : MATCHED;
                    } else {
                        int b = groupDt[d] * 4;
                        double da = dtBoxes[b + 2] * dtBoxes[b + 3];
                        f = da < lo || da > hi ? IGNORED : 0;
                    }
                    flags[base + d] = f;
                }
            }
        }
    }

    /** The greedy match of detection {@code d}: pycocotools' inner loop, ties going to the later box. */
    private int match(int d, int nGt, double threshold) {
        double best = threshold;
        int m = -1;
        int row = d * nGt;
        for (int g = 0; g < nGt; g++) {
            if (gtMatched[g] && !isCrowd(g)) {
                continue;
            }
            if (m > -1 && !gtIg[m] && gtIg[g]) {
                break; // matched a regular box; the rest are ignored ones
            }
            double v = iou[row + perm[g]];
            if (v < best) {
                continue;
            }
            best = v;
            m = g;
        }
        return m;
    }

    private boolean isCrowd(int orderedG) {
        return crowdOfGroup[perm[orderedG]];
    }

    /** pycocotools' {@code accumulate} for one category: precision and recall at every setting. */
    private void accumulateCategory(int k, int numCategories, int n, double[] precision, double[] recall) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        StableScoreSort.sortDescending(order, 0, n, catScore, sortScratch);
        for (int mi = 0; mi < M; mi++) {
            int maxDet = MAX_DETECTIONS[mi];
            for (int a = 0; a < A; a++) {
                if (npig[a] == 0) {
                    continue;
                }
                double npigA = npig[a];
                for (int t = 0; t < T; t++) {
                    int base = (a * T + t) * capacity;
                    int nd = 0;
                    double tp = 0;
                    double fp = 0;
                    for (int q = 0; q < n; q++) {
                        int p = order[q];
                        if (catRank[p] >= maxDet) {
                            continue;
                        }
                        byte f = flags[base + p];
                        if ((f & IGNORED) == 0) {
                            if ((f & MATCHED) != 0) {
                                tp++;
                            } else {
                                fp++;
                            }
                        }
                        rc[nd] = tp / npigA;
                        pr[nd] = tp / (fp + tp + EPS);
                        nd++;
                    }
                    recall[((t * numCategories + k) * A + a) * M + mi] = nd > 0 ? rc[nd - 1] : 0;
                    for (int i = nd - 1; i > 0; i--) {
                        if (pr[i] > pr[i - 1]) {
                            pr[i - 1] = pr[i];
                        }
                    }
                    int pos = 0;
                    for (int r = 0; r < R; r++) {
                        double thr = RECALL_THRESHOLDS[r];
                        while (pos < nd && rc[pos] < thr) {
                            pos++;
                        }
                        // beyond the reached recall the precision is 0 (pycocotools leaves its zeros)
                        double q = pos < nd ? pr[pos] : 0;
                        precision[(((t * R + r) * numCategories + k) * A + a) * M + mi] = q;
                    }
                }
            }
        }
    }

    private void ensureCategoryCapacity(int n) {
        if (n > capacity) {
            capacity = Math.max(n, capacity * 3 / 2);
            catScore = new double[capacity];
            catRank = new int[capacity];
            flags = new byte[A * T * capacity];
            order = new int[capacity];
            sortScratch = new int[capacity];
            rc = new double[capacity];
            pr = new double[capacity];
        }
    }

    private static int[] grow(int[] a, int n) {
        return n <= a.length ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    private static double[] growD(double[] a, int n) {
        return n <= a.length ? a : new double[Math.max(n, a.length * 2)];
    }

    private static boolean[] growB(boolean[] a, int n) {
        return n <= a.length ? a : new boolean[Math.max(n, a.length * 2)];
    }
}
