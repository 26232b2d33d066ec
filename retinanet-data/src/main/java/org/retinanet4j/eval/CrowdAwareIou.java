package org.retinanet4j.eval;

/**
 * IoU of boxes {@code x, y, w, h} as cocoapi's C function {@code bbIou} computes it: for a crowd region the
 * union is the detection's own area (intersection over detection), so a detection inside a crowd matches it.
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
            int go = gtIdx[g] * 4;
            double gx = gtBoxes[go];
            double gy = gtBoxes[go + 1];
            double gw = gtBoxes[go + 2];
            double gh = gtBoxes[go + 3];
            double ga = gw * gh;
            boolean crowd = gtCrowd[gtIdx[g]];
            for (int d = 0; d < nDt; d++) {
                int dof = dtIdx[d] * 4;
                double dx = dtBoxes[dof];
                double dy = dtBoxes[dof + 1];
                double dw = dtBoxes[dof + 2];
                double dh = dtBoxes[dof + 3];
                double da = dw * dh;
                out[d * nGt + g] = 0;
                double w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
                if (w <= 0) {
                    continue;
                }
                double h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
                if (h <= 0) {
                    continue;
                }
                double i = w * h;
                double u = crowd ? da : da + ga - i;
                out[d * nGt + g] = i / u;
            }
        }
    }
}
