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
                double i = BoxIou.intersection(dx, dy, dx + dw, dy + dh, gx, gy, gx + gw, gy + gh, 0);
                double da = dw * dh;
                out[d * nGt + g] = i == 0 ? 0 : i / (crowd ? da : da + ga - i);
            }
        }
    }
}
