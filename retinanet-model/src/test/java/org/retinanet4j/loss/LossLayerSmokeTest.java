package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

/** Both losses train inside a ComputationGraph with DL4J's workspaces on: finite, falling scores. */
class LossLayerSmokeTest {

    @Test
    void graphWithBothLossesTrainsWithWorkspaces() {
        ComputationGraph net = LossTestGraphs.graph(new FocalLoss(), new BoxRegressionLoss(), DataType.FLOAT,
                new Adam(0.05));
        INDArray in = LossTestGraphs.input(3, DataType.FLOAT);
        MultiDataSet data = new MultiDataSet(new INDArray[] {in}, new INDArray[] {
                LossTestGraphs.classLabels(DataType.FLOAT), LossTestGraphs.boxLabels(DataType.FLOAT)});
        double first = net.score(data);
        for (int i = 0; i < 30; i++) {
            net.fit(data);
        }
        double last = net.score(data);
        assertTrue(Double.isFinite(first) && Double.isFinite(last), first + " " + last);
        assertTrue(last < 0.5 * first, "score should fall: " + first + " -> " + last);
    }
}
