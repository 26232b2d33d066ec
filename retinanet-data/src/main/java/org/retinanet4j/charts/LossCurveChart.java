package org.retinanet4j.charts;

import java.util.List;
import java.util.Locale;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * The training loss against the iteration: the raw losses and, when there are enough points, their moving
 * average over {@code window} iterations (single batches are noisy; the average shows the trend).
 */
public final class LossCurveChart {

    public static final String RAW_SERIES = "loss";
    public static final String AVERAGE_SERIES = "moving average";

    private LossCurveChart() {
    }

    /** The chart of these points (non-finite losses left out), 640x400, with a moving average over {@code window}. */
    public static XYChart create(String title, List<LossPoint> points, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("LossCurveChart: window must be at least 1, got " + window);
        }
        List<LossPoint> finite = points.stream().filter(p -> Double.isFinite(p.loss())).toList();
        if (finite.isEmpty()) {
            throw new IllegalArgumentException("LossCurveChart: no finite loss among " + points.size() + " points");
        }
        int skipped = points.size() - finite.size();
        String fullTitle = skipped == 0 ? title
                : String.format(Locale.ROOT, "%s (%d non-finite losses left out)", title, skipped);
        XYChart chart = LineCharts.create(fullTitle, "iteration", "loss", 640, 400);
        double[] x = finite.stream().mapToDouble(LossPoint::iteration).toArray();
        double[] y = finite.stream().mapToDouble(LossPoint::loss).toArray();
        chart.addSeries(RAW_SERIES, x, y);
        if (window > 1 && finite.size() >= 2 * window) {
            chart.addSeries(AVERAGE_SERIES, x, movingAverage(y, window));
        }
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }

    /** Mean of the last {@code window} values at each index (fewer at the start). */
    static double[] movingAverage(double[] y, int window) {
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= window) {
                sum -= y[i - window];
            }
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }
}
