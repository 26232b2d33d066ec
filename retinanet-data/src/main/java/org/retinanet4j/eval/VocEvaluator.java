package org.retinanet4j.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.retinanet4j.boxes.BoxIou;

/**
 * Pascal VOC detection mAP at IoU 0.5, as the VOC devkit (and py-faster-rcnn's {@code voc_eval.py}) computes it:
 * per class, detections in descending score order (equal scores: by image id, then input order), each matched to the ground-truth box of its image
 * and class with the highest IoU; IoU &gt; 0.5 with a box not yet detected is a true positive, with a box
 * already detected a false positive, with a {@code difficult} box neither; AP is the 11-point interpolated
 * average (VOC2007) or the area under the monotone precision envelope (VOC2010 and later). mAP is the mean over
 * the classes that have at least one non-difficult box. The 11 recall points are voc_eval's
 * {@code np.arange(0., 1.1, 0.1)} values, so a recall of exactly 0.3 does not reach the point "0.3"
 * (0.30000000000000004), as there. Detections of classes without ground truth are not evaluated.
 *
 * <p>Detections come as {@link CocoDetections} ({@code x, y, w, h}; corners {@code x, y, x + w, y + h}).
 * With {@code pixelInclusive} (the devkit's convention for integer pixel boxes) widths and heights in the IoU
 * are {@code x2 - x1 + 1}; without it, continuous coordinates.
 */
public final class VocEvaluator {
    /** The two VOC AP definitions. */
    public enum Metric {
        /** 11-point interpolated AP (recall 0, 0.1, ..., 1), VOC2007. */
        VOC2007_11_POINT,
        /** Area under the precision envelope at every recall change, VOC2010 and later. */
        VOC2010_ALL_POINT
    }

    private final Metric metric;
    private final boolean pixelInclusive;

    public VocEvaluator(Metric metric, boolean pixelInclusive) {
        this.metric = metric;
        this.pixelInclusive = pixelInclusive;
    }

    /** AP per class id (NaN for a class without non-difficult boxes) and their mean. */
    public record Result(Map<Integer, Double> apPerClass, double map) {
    }

    public Result evaluate(VocGroundTruth gt, CocoDetections dt) {
        // boxes of each (class, image), in insertion order
        Map<Integer, Map<Long, int[]>> byClass = new TreeMap<>();
        Map<Integer, Integer> positives = new HashMap<>();
        for (int i = 0; i < gt.size(); i++) {
            Map<Long, int[]> byImage = byClass.computeIfAbsent(gt.classId(i), c -> new HashMap<>());
            int[] list = byImage.get(gt.imageId(i));
            list = list == null ? new int[] {i} : appended(list, i);
            byImage.put(gt.imageId(i), list);
            if (!gt.difficult(i)) {
                positives.merge(gt.classId(i), 1, Integer::sum);
            }
        }
        Map<Integer, int[]> detsByClass = new HashMap<>();
        int[] counts = new int[0];
        Map<Integer, Integer> slot = new HashMap<>();
        for (int d = 0; d < dt.size(); d++) {
            int s = slot.computeIfAbsent(dt.categoryId(d), c -> slot.size());
            if (s == counts.length) {
                counts = Arrays.copyOf(counts, s + 1);
            }
            counts[s]++;
        }
        for (Map.Entry<Integer, Integer> e : slot.entrySet()) {
            detsByClass.put(e.getKey(), new int[counts[e.getValue()]]);
        }
        int[] fill = new int[counts.length];
        for (int d = 0; d < dt.size(); d++) {
            int s = slot.get(dt.categoryId(d));
            detsByClass.get(dt.categoryId(d))[fill[s]++] = d;
        }

        Map<Integer, Double> ap = new TreeMap<>();
        double sum = 0;
        int n = 0;
        for (int c : byClass.keySet()) {
            int npos = positives.getOrDefault(c, 0);
            if (npos == 0) {
                ap.put(c, Double.NaN);
                continue;
            }
            int[] dets = detsByClass.getOrDefault(c, new int[0]);
            double v = classAp(gt, byClass.get(c), dets, dt, npos);
            ap.put(c, v);
            sum += v;
            n++;
        }
        return new Result(ap, n == 0 ? Double.NaN : sum / n);
    }

    private double classAp(VocGroundTruth gt, Map<Long, int[]> boxes, int[] dets, CocoDetections dt, int npos) {
        orderByImage(dets, dt);
        StableScoreSort.sortDescending(dets, 0, dets.length, dt.scoreArray(), new int[dets.length]);
        Map<Long, boolean[]> detected = new HashMap<>();
        double[] rec = new double[dets.length];
        double[] prec = new double[dets.length];
        double tp = 0;
        double fp = 0;
        int nd = 0;
        double one = pixelInclusive ? 1 : 0;
        for (int d : dets) {
            long img = dt.imageId(d);
            double bx1 = dt.box(d, 0);
            double by1 = dt.box(d, 1);
            double bx2 = bx1 + dt.box(d, 2);
            double by2 = by1 + dt.box(d, 3);
            int[] cand = boxes.get(img);
            double best = Double.NEGATIVE_INFINITY;
            int arg = -1;
            if (cand != null) {
                for (int j = 0; j < cand.length; j++) {
                    int g = cand[j];
                    double inter = BoxIou.intersection(gt.coord(g, 0), gt.coord(g, 1), gt.coord(g, 2), gt.coord(g, 3),
                            bx1, by1, bx2, by2, one);
                    double uni = (bx2 - bx1 + one) * (by2 - by1 + one)
                            + (gt.coord(g, 2) - gt.coord(g, 0) + one) * (gt.coord(g, 3) - gt.coord(g, 1) + one)
                            - inter;
                    double ov = inter / uni;
                    if (ov > best) {
                        best = ov;
                        arg = j;
                    }
                }
            }
            if (arg >= 0 && best > 0.5) {
                if (gt.difficult(cand[arg])) {
                    // neither a hit nor a miss: the curve repeats its previous point, as in voc_eval
                } else {
                        boolean[] used = detected.computeIfAbsent(img, k -> new boolean[cand.length]);
                    if (!used[arg]) {
                        used[arg] = true;
                        tp++;
                    } else {
                        fp++;
                    }
                }
            } else {
                fp++;
            }
            rec[nd] = tp / npos;
            prec[nd] = tp / Math.max(tp + fp, Math.ulp(1.0));
            nd++;
        }
        return metric == Metric.VOC2007_11_POINT ? elevenPoint(rec, prec, nd) : allPoint(rec, prec, nd);
    }

    /**
     * Orders detections by image id, then input order, before the stable score sort: equal scores are then
     * broken the same way however the detections were split over workers and merged.
     */
    private static void orderByImage(int[] dets, CocoDetections dt) {
        long[] ids = new long[dets.length];
        for (int i = 0; i < dets.length; i++) {
            ids[i] = dt.imageId(dets[i]);
        }
        long[] unique = Arrays.stream(ids).sorted().distinct().toArray();
        long[] keys = new long[dets.length];
        for (int i = 0; i < dets.length; i++) {
            keys[i] = ((long) Arrays.binarySearch(unique, ids[i]) << 31) | dets[i];
        }
        Arrays.sort(keys);
        for (int i = 0; i < dets.length; i++) {
            dets[i] = (int) (keys[i] & ((1L << 31) - 1));
        }
    }

    static double elevenPoint(double[] rec, double[] prec, int nd) {
        double ap = 0;
        for (int i = 0; i <= 10; i++) {
            double t = i * 0.1; // np.arange(0., 1.1, 0.1): 0.30000000000000004, not 0.3, as voc_eval compares
            double p = 0;
            for (int j = 0; j < nd; j++) {
                if (rec[j] >= t) {
                    p = Math.max(p, prec[j]);
                }
            }
            ap += p / 11;
        }
        return ap;
    }

    static double allPoint(double[] rec, double[] prec, int nd) {
        double[] mrec = new double[nd + 2];
        double[] mpre = new double[nd + 2];
        mrec[nd + 1] = 1;
        System.arraycopy(rec, 0, mrec, 1, nd);
        System.arraycopy(prec, 0, mpre, 1, nd);
        for (int i = mpre.length - 1; i > 0; i--) {
            mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
        }
        double ap = 0;
        for (int i = 1; i < mrec.length; i++) {
            if (mrec[i] != mrec[i - 1]) {
                ap += (mrec[i] - mrec[i - 1]) * mpre[i];
            }
        }
        return ap;
    }

    private static int[] appended(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }
}
