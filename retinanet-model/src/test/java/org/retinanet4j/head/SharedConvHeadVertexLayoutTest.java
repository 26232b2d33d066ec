package org.retinanet4j.head;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The head's output layout is torchvision's: per level, conv channel c at (y, x) lands in column
 * (y * W + x) * C + c, levels concatenated in input order. Checked with a predictor that copies its input (centre
 * tap = identity), so the output is the input rearranged.
 */
class SharedConvHeadVertexLayoutTest {

    @Test
    void outputIsRowColumnAnchorValueThenLevel() {
        int anchors = 2;
        int values = 3;
        int c = anchors * values;
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("p3", "p4")
                .addVertex("head", new SharedConvHeadVertex(2, c, 4, 0, anchors, values, "clsLogits", 0.0), "p3", "p4")
                .setOutputs("head").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Map<String, INDArray> params = net.getVertex("head").paramTable(false);
        INDArray w = params.get("clsLogitsW").assign(0);
        for (int i = 0; i < c; i++) {
            w.putScalar(new long[]{1, 1, i, i}, 1.0);
        }
        params.get("clsLogitsb").assign(0);

        INDArray p3 = Nd4j.rand(DataType.FLOAT, 2, c, 3, 5);
        INDArray p4 = Nd4j.rand(DataType.FLOAT, 2, c, 2, 3);
        INDArray out = net.outputSingle(p3, p4);
        assertArrayEquals(new long[]{2, (3 * 5 + 2 * 3) * c}, out.shape());
        for (int n = 0; n < 2; n++) {
            long col = 0;
            for (INDArray level : new INDArray[]{p3, p4}) {
                for (int y = 0; y < level.size(2); y++) {
                    for (int x = 0; x < level.size(3); x++) {
                        for (int ch = 0; ch < c; ch++) {
                            assertEquals(level.getFloat(n, ch, y, x), out.getFloat(n, col++), 1e-6,
                                    "n=" + n + " y=" + y + " x=" + x + " c=" + ch);
                        }
                    }
                }
            }
        }
    }
}
