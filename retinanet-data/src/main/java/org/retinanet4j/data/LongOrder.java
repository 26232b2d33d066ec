package org.retinanet4j.data;

/** Sorting of 64-bit ids without boxing: a stable merge sort of an index array (O(n log n), two int arrays). */
public final class LongOrder {

    private LongOrder() {
    }

    /** Positions of {@code keys} in ascending key order; stable (equal keys keep their order). */
    public static int[] ascending(long[] keys) {
        int n = keys.length;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        int[] tmp = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, n);
                int a = lo;
                int b = mid;
                int k = lo;
                while (a < mid && b < hi) {
                    tmp[k++] = keys[idx[b]] < keys[idx[a]] ? idx[b++] : idx[a++];
                }
                while (a < mid) {
                    tmp[k++] = idx[a++];
                }
                while (b < hi) {
                    tmp[k++] = idx[b++];
                }
                System.arraycopy(tmp, lo, idx, lo, hi - lo);
            }
        }
        return idx;
    }
}
