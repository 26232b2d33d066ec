package org.retinanet4j.charts;

import java.awt.Color;
import java.awt.Font;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The project's line charts (xchart): white background, lines without markers, a light grid, the legend inside
 * the plot. Precision/recall curves, loss curves and the notebooks' figures all start from {@link #create}, so
 * they look alike; write one to PNG with {@code BitmapEncoder.saveBitmap(chart, path, BitmapFormat.PNG)} or get
 * a {@code BufferedImage} with {@code BitmapEncoder.getBufferedImage(chart)}.
 */
public final class LineCharts {

    /** The series colours, in order (matplotlib's first four, which readers of the paper's figures know). */
    public static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b)};

    private LineCharts() {
    }

    /** An empty line chart of {@code width x height} pixels with these titles. */
    public static XYChart create(String title, String xTitle, String yTitle, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var s = chart.getStyler();
        s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarkerSize(0);
        s.setSeriesMarkers(new org.knowm.xchart.style.markers.Marker[] {SeriesMarkers.NONE});
        s.setSeriesColors(COLORS);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.DARK_GRAY);
        s.setPlotGridLinesColor(new Color(0xdddddd));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setChartTitleBoxVisible(false);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(new Color(0xcccccc));
        s.setAntiAlias(true);
        return chart;
    }
}
