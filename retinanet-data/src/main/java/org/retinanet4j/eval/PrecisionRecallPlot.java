package org.retinanet4j.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * Draws the interpolated precision/recall curves of a {@link CocoEvalResult} as PNG files with Java2D, one file
 * per category ({@code pr-<id>-<name>.png}), each with the curves at IoU 0.50, 0.75 and the mean over
 * .50:.95 (all areas, 100 detections). Categories without ground truth get no file.
 */
public final class PrecisionRecallPlot {
    private static final int W = 480;
    private static final int H = 400;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};

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

    /** The plot of category index {@code k}. */
    public static BufferedImage render(CocoEvalResult result, int k) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            drawAxes(g);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%s (id %d)  AP %.3f", result.categoryName(k),
                    result.categoryId(k), result.categoryAp(k)), LEFT, 24);
            double[][] curves = {
                    result.precisionRecallCurve(k, CocoEvalParams.iouIndex(0.5)),
                    result.precisionRecallCurve(k, CocoEvalParams.iouIndex(0.75)),
                    meanCurve(result, k)};
            String[] labels = {"IoU 0.50", "IoU 0.75", "IoU .50:.95"};
            for (int c = 0; c < curves.length; c++) {
                drawCurve(g, curves[c], COLORS[c]);
                g.setColor(COLORS[c]);
                // legend bottom-left: below the curves of any detector worth plotting
                int ly = py(0) - 56 + c * 18;
                g.fillRect(LEFT + 10, ly - 6, 12, 4);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(labels[c], LEFT + 28, ly);
            }
        } finally {
            g.dispose();
        }
        return img;
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

    private static void drawAxes(Graphics2D g) {
        g.setColor(new Color(0xdddddd));
        for (int i = 0; i <= 10; i++) {
            int x = px(i / 10.0);
            int y = py(i / 10.0);
            g.drawLine(x, py(0), x, py(1));
            g.drawLine(px(0), y, px(1), y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(px(0), py(1), px(1) - px(0), py(0) - py(1));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 10; i += 2) {
            String s = String.format(Locale.ROOT, "%.1f", i / 10.0);
            g.drawString(s, px(i / 10.0) - 8, py(0) + 15);
            g.drawString(s, px(0) - 28, py(i / 10.0) + 4);
        }
        g.drawString("recall", (px(0) + px(1)) / 2 - 15, H - 12);
        g.drawString("precision", 4, TOP - 8);
    }

    private static void drawCurve(Graphics2D g, double[] precision, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        for (int r = 1; r < precision.length; r++) {
            g.drawLine(px(CocoEvalParams.RECALL_THRESHOLDS[r - 1]), py(precision[r - 1]),
                    px(CocoEvalParams.RECALL_THRESHOLDS[r]), py(precision[r]));
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static int px(double recall) {
        return LEFT + (int) Math.round(recall * (W - LEFT - RIGHT));
    }

    private static int py(double precision) {
        return H - BOTTOM - (int) Math.round(precision * (H - TOP - BOTTOM));
    }
}
