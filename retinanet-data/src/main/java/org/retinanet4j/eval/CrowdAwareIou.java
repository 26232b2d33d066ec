package org.retinanet4j.eval;

import org.retinanet4j.boxes.BoxIou;

/**
 * IoU of boxes {@code x, y, w, h} as cocoapi's C function {@code bbIou} computes it: the overlap area is
 * {@link BoxIou#intersection}'s (corners {@code x + w}, {@code y + h}, areas {@code w * h}, all in double); for a
 * crowd region the union is the detection's own area (intersection over detection), so a detection inside a crowd
 * matches it. That union rule is what this class adds to the shared kernel.
 */
final class CrowdAwareIou {
    private CrowdAwareIou() {
    }

    /**
     * Fills {@code out[d * nGt + g]} for detections {@code dtIdx[0..nDt)} (rows of {@code dtBoxes}) against
     * ground-truth rows {@code gtIdx[0..nGt)} of {@code gtBoxes}.
     */
    static void compute(double[] dtBoxes, int[] dtIdx, int nDt, double[] gtBoxes, boolean[] gtCrowd,
                        int[] gtIdx, int nGt, double[] out) {
        for (int g = 0; g < nGt; g++) {
            int q = gtIdx[g] * 4;
            boolean crowd = gtCrowd[gtIdx[g]];
            for (int d = 0; d < nDt; d++) {
                int p = dtIdx[d] * 4;
                double dw = dtBoxes[p + 2];
                double dh = dtBoxes[p + 3];
                double i = BoxIou.intersection(dtBoxes[p], dtBoxes[p + 1], dtBoxes[p] + dw, dtBoxes[p + 1] + dh,
                        gtBoxes[q], gtBoxes[q + 1], gtBoxes[q] + gtBoxes[q + 2], gtBoxes[q + 1] + gtBoxes[q + 3], 0);
                double da = dw * dh;
                out[d * nGt + g] = i == 0 ? 0 : i / (crowd ? da : da + gtBoxes[q + 2] * gtBoxes[q + 3] - i);
            }
        }
    }
}
