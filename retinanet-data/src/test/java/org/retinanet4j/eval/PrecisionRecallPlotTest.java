package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The precision/recall charts hold pycocotools' curves, one chart per category with ground truth. */
class PrecisionRecallPlotTest {

    private static double[] y(XYChart chart, String series) {
        return chart.getSeriesMap().get(series).getYData();
    }

    @Test
    void perfectCategoryIsPrecisionOneAtEveryRecall() {
        CocoEvalResult r = CocoFixtures.evaluate("crowd"); // AP 1: precision 1 at every recall
        XYChart chart = PrecisionRecallPlot.chart(r, 0);
        assertEquals(List.of(PrecisionRecallPlot.IOU_50, PrecisionRecallPlot.IOU_75, PrecisionRecallPlot.IOU_MEAN),
                List.copyOf(chart.getSeriesMap().keySet()));
        for (XYSeries s : chart.getSeriesMap().values()) {
            assertArrayEquals(CocoEvalParams.RECALL_THRESHOLDS, s.getXData(), s.getName());
            double[] ones = new double[CocoEvalParams.R];
            Arrays.fill(ones, 1.0);
            assertArrayEquals(ones, s.getYData(), 1e-12, s.getName());
        }
        assertTrue(chart.getTitle().contains("AP 1.000"), chart.getTitle());
    }

    @Test
    void seriesAreTheEvaluatorsInterpolatedCurves() {
        CocoEvalResult r = CocoFixtures.evaluate("random-stress");
        int checked = 0;
        for (int k = 0; k < r.numCategories(); k++) {
            if (r.precisionRecallCurve(k, 0) == null) {
                int category = k;
                assertThrows(IllegalArgumentException.class, () -> PrecisionRecallPlot.chart(r, category));
                continue;
            }
            XYChart chart = PrecisionRecallPlot.chart(r, k);
            assertArrayEquals(r.precisionRecallCurve(k, CocoEvalParams.iouIndex(0.5)),
                    y(chart, PrecisionRecallPlot.IOU_50));
            assertArrayEquals(r.precisionRecallCurve(k, CocoEvalParams.iouIndex(0.75)),
                    y(chart, PrecisionRecallPlot.IOU_75));
            // the .50:.95 curve averages the ten IoU curves; its mean over recall is the category's AP
            double[] mean = y(chart, PrecisionRecallPlot.IOU_MEAN);
            for (int i = 0; i < CocoEvalParams.R; i++) {
                double sum = 0;
                for (int t = 0; t < CocoEvalParams.T; t++) {
                    sum += r.precisionRecallCurve(k, t)[i];
                }
                assertEquals(sum / CocoEvalParams.T, mean[i], 1e-12);
            }
            assertEquals(r.categoryAp(k), Arrays.stream(mean).average().orElseThrow(), 1e-9);
            checked++;
        }
        assertTrue(checked >= 2, "random-stress has several categories with ground truth");
    }

    @Test
    void categoriesWithoutGroundTruthGetNoFile(@TempDir Path dir) throws Exception {
        List<Path> files = PrecisionRecallPlot.writeAll(CocoFixtures.evaluate("non-contiguous-ids"), dir);
        assertEquals(List.of("pr-3-c3.png", "pr-90-c90.png"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        BufferedImage img = ImageIO.read(files.get(0).toFile());
        assertEquals(PrecisionRecallPlot.WIDTH, img.getWidth());
        assertEquals(PrecisionRecallPlot.HEIGHT, img.getHeight());
    }
}
