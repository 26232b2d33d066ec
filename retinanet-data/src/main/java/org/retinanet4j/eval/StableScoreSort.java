package org.retinanet4j.eval;

/**
 * Stable sort of index arrays by descending score, on primitives. pycocotools orders detections with
 * {@code np.argsort(-scores, kind='mergesort')}: equal scores keep their input order, and which detection of a
 * tie comes first changes matches and precision, so the sort must be stable.
 */
final class StableScoreSort {
    private static final int INSERTION_LIMIT = 24;

    private StableScoreSort() {
    }

    /** Sorts {@code idx[from, to)} so that {@code scores[idx[i]]} is non-increasing; ties keep their order. */
    static void sortDescending(int[] idx, int from, int to, double[] scores, int[] scratch) {
        if (to - from <= INSERTION_LIMIT) {
            insertion(idx, from, to, scores);
            return;
        }
        int mid = (from + to) >>> 1;
        sortDescending(idx, from, mid, scores, scratch);
        sortDescending(idx, mid, to, scores, scratch);
        if (scores[idx[mid - 1]] >= scores[idx[mid]]) {
            return; // already in order
        }
        System.arraycopy(idx, from, scratch, from, to - from);
        int i = from;
        int j = mid;
        int o = from;
        while (i < mid && j < to) {
            // take from the right run only when strictly greater: keeps equal scores in input order
            idx[o++] = scores[scratch[j]] > scores[scratch[i]] ? scratch[j++] : scratch[i++];
        }
        while (i < mid) {
            idx[o++] = scratch[i++];
        }
        while (j < to) {
            idx[o++] = scratch[j++];
        }
    }

    private static void insertion(int[] idx, int from, int to, double[] scores) {
        for (int i = from + 1; i < to; i++) {
            int v = idx[i];
            double s = scores[v];
            int j = i - 1;
            while (j >= from && scores[idx[j]] < s) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
    }
}
