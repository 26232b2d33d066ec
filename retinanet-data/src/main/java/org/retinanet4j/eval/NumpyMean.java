package org.retinanet4j.eval;

/**
 * {@code numpy.mean} of a float64 vector, summed in numpy's pairwise order so that the summary statistics
 * agree with pycocotools' to the last bit rather than to a rounding error.
 */
final class NumpyMean {
    private static final int BLOCK = 128;

    private NumpyMean() {
    }

    static double mean(double[] v, int n) {
        return (0.0 + pairwiseSum(v, 0, n)) / n;
    }

    /** numpy's {@code pairwise_sum}: 8 accumulators within blocks of 128, halves above that. */
    static double pairwiseSum(double[] a, int off, int n) {
        if (n < 8) {
            double res = 0.;
            for (int i = 0; i < n; i++) {
                res += a[off + i];
            }
            return res;
        } else if (n <= BLOCK) {
            double[] r = new double[8];
            System.arraycopy(a, off, r, 0, 8);
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[off + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[off + i];
            }
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
        }
    }
}
