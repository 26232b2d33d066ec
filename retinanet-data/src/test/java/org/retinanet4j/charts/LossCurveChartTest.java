package org.retinanet4j.charts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The loss curve holds the recorded losses; the listener records DL4J's score after each iteration. */
class LossCurveChartTest {

    @Test
    void chartHoldsFiniteLossesAndTheirMovingAverage() {
        List<LossPoint> points = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            points.add(new LossPoint(i, i == 4 ? Double.NaN : 10 - i));
        }
        XYChart chart = LossCurveChart.create("training", points, 3);
        assertArrayEquals(new double[] {0, 1, 2, 3, 5, 6, 7, 8, 9},
                chart.getSeriesMap().get(LossCurveChart.RAW_SERIES).getXData());
        assertArrayEquals(new double[] {10, 9, 8, 7, 5, 4, 3, 2, 1},
                chart.getSeriesMap().get(LossCurveChart.RAW_SERIES).getYData());
        // mean of the last three finite losses: (10)/1, (10+9)/2, (10+9+8)/3, (9+8+7)/3, (8+7+5)/3, ...
        assertArrayEquals(new double[] {10, 9.5, 9, 8, 20 / 3.0, 16 / 3.0, 4, 3, 2},
                chart.getSeriesMap().get(LossCurveChart.AVERAGE_SERIES).getYData(), 1e-12);
        assertTrue(chart.getTitle().contains("1 non-finite losses left out"), chart.getTitle());
    }

    @Test
    void shortRunsGetNoAverageAndEmptyOnesAnError() {
        XYChart chart = LossCurveChart.create("short", List.of(new LossPoint(1, 2.0), new LossPoint(2, 1.0)), 5);
        assertFalse(chart.getSeriesMap().containsKey(LossCurveChart.AVERAGE_SERIES));
        assertThrows(IllegalArgumentException.class,
                () -> LossCurveChart.create("none", List.of(new LossPoint(1, Double.NaN)), 5));
    }

    @Test
    void historyRecordsTheScoreOfEachIteration() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .updater(new Sgd(0.1)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        LossHistory history = new LossHistory();
        net.addListeners(history);
        DataSet data = new DataSet(Nd4j.rand(8, 2).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                Nd4j.rand(8, 1).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        List<Double> scores = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            net.fit(data);
            scores.add(net.score());
        }
        assertEquals(List.of(0L, 1L, 2L), history.points().stream().map(LossPoint::iteration).toList());
        assertEquals(scores, history.points().stream().map(LossPoint::loss).toList());
        assertTrue(scores.get(2) < scores.get(0), "SGD on MSE lowers the loss: " + scores);
    }
}
