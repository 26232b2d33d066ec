package org.retinanet4j.examples.focalloss;

import java.util.Arrays;

/**
 * How a total loss is spread over samples, as in the paper's Figure 4: sort the samples' losses from the smallest
 * to the largest and follow the cumulative share of the total.
 */
public final class LossShares {

    private LossShares() {
    }

    /** The losses of the entries whose label equals {@code label} (1 positives, 0 negatives). */
    public static double[] select(double[] losses, float[] labels, float label) {
        if (losses.length != labels.length) {
            throw new IllegalArgumentException("LossShares.select: " + losses.length + " losses but " + labels.length
                    + " labels");
        }
        int n = 0;
        for (float l : labels) {
            if (l == label) {
                n++;
            }
        }
        double[] out = new double[n];
        int j = 0;
        for (int i = 0; i < losses.length; i++) {
            if (labels[i] == label) {
                out[j++] = losses[i];
            }
        }
        return out;
    }

    /**
     * Element {@code i}: the share of the total loss carried by the {@code i + 1} smallest losses (the last is 1);
     * plotted against {@code (i + 1) / n} it is the paper's cumulative distribution of the normalised loss.
     */
    public static double[] cumulativeShare(double[] losses) {
        double[] sorted = losses.clone();
        Arrays.sort(sorted);
        double total = sum(sorted);
        double[] out = new double[sorted.length];
        double running = 0;
        for (int i = 0; i < sorted.length; i++) {
            running += sorted[i];
            out[i] = total > 0 ? running / total : 0;
        }
        return out;
    }

    /** The share of the total loss carried by the largest {@code fraction} of the samples (the hardest ones). */
    public static double shareOfHardest(double[] losses, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("shareOfHardest: fraction must be in [0, 1], got " + fraction);
        }
        double[] sorted = losses.clone();
        Arrays.sort(sorted);
        int hardest = (int) Math.round(fraction * sorted.length);
        double total = sum(sorted);
        double top = sum(Arrays.copyOfRange(sorted, sorted.length - hardest, sorted.length));
        return total > 0 ? top / total : 0;
    }

    /** Fractions 1/n, 2/n, ..., 1: the x values for {@link #cumulativeShare}. */
    public static double[] fractions(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i + 1) / (double) n;
        }
        return x;
    }

    /** Every {@code step}-th value and the last (charts need no 150,000 points to show a curve). */
    public static double[] thin(double[] values, int step) {
        int n = (values.length + step - 1) / step;
        boolean lastIncluded = (values.length - 1) % step == 0;
        double[] out = new double[lastIncluded ? n : n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = values[i * step];
        }
        if (!lastIncluded) {
            out[n] = values[values.length - 1];
        }
        return out;
    }

    static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
