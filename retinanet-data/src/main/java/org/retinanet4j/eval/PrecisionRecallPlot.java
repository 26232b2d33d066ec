package org.retinanet4j.eval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.retinanet4j.charts.LineCharts;

/**
 * The interpolated precision/recall curves of a {@link CocoEvalResult} as xchart line charts, one per category
 * ({@code pr-<id>-<name>.png} from {@link #writeAll}), each with the curves at IoU 0.50, 0.75 and the mean over
 * .50:.95 (all areas, 100 detections), at pycocotools' 101 recall thresholds. Categories without ground truth
 * get no chart.
 */
public final class PrecisionRecallPlot {

    public static final String IOU_50 = "IoU 0.50";
    public static final String IOU_75 = "IoU 0.75";
    public static final String IOU_MEAN = "IoU .50:.95";
    static final int WIDTH = 480;
    static final int HEIGHT = 400;

    private PrecisionRecallPlot() {
    }

    /** Writes one PNG per category with ground truth into {@code dir} (created if needed); returns the files. */
    public static List<Path> writeAll(CocoEvalResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (int k = 0; k < result.numCategories(); k++) {
            if (result.precisionRecallCurve(k, 0) == null) {
                continue;
            }
            String safe = result.categoryName(k).replaceAll("[^A-Za-z0-9_-]+", "_");
            Path file = dir.resolve("pr-" + result.categoryId(k) + "-" + safe + ".png");
            ImageIO.write(render(result, k), "png", file.toFile());
            written.add(file);
        }
        return written;
    }

    /** The chart of category index {@code k} as a picture. */
    public static BufferedImage render(CocoEvalResult result, int k) {
        return BitmapEncoder.getBufferedImage(chart(result, k));
    }

    /**
     * The chart of category index {@code k}: series {@link #IOU_50}, {@link #IOU_75} and {@link #IOU_MEAN},
     * recall on x, interpolated precision on y.
     *
     * @throws IllegalArgumentException when the category has no ground truth (no curve)
     */
    public static XYChart chart(CocoEvalResult result, int k) {
        double[] at50 = result.precisionRecallCurve(k, CocoEvalParams.iouIndex(0.5));
        if (at50 == null) {
            throw new IllegalArgumentException("category " + result.categoryName(k) + " (id " + result.categoryId(k)
                    + ") has no ground truth, so no precision/recall curve");
        }
        XYChart chart = LineCharts.create(String.format(Locale.ROOT, "%s (id %d)  AP %.3f", result.categoryName(k),
                result.categoryId(k), result.categoryAp(k)), "recall", "precision", WIDTH, HEIGHT);
        var s = chart.getStyler();
        s.setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        s.setLegendPosition(Styler.LegendPosition.InsideSW); // below the curves of any detector worth plotting
        double[] recall = CocoEvalParams.RECALL_THRESHOLDS.clone();
        chart.addSeries(IOU_50, recall, at50);
        chart.addSeries(IOU_75, recall, result.precisionRecallCurve(k, CocoEvalParams.iouIndex(0.75)));
        chart.addSeries(IOU_MEAN, recall, meanCurve(result, k));
        return chart;
    }

    private static double[] meanCurve(CocoEvalResult result, int k) {
        double[] mean = new double[CocoEvalParams.R];
        for (int t = 0; t < CocoEvalParams.T; t++) {
            double[] c = result.precisionRecallCurve(k, t);
            for (int r = 0; r < mean.length; r++) {
                mean[r] += c[r] / CocoEvalParams.T;
            }
        }
        return mean;
    }
}
