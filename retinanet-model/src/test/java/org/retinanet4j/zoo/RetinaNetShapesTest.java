package org.retinanet4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.anchors.AnchorGenerator;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One graph runs inputs of several sizes; the output widths follow the anchor count. */
class RetinaNetShapesTest {
    private static ComputationGraph net;

    @BeforeAll
    static void build() {
        net = TinyNets.tiny().build().init();
    }

    @Test
    void outputsCoverEveryAnchorForSeveralInputSizes() {
        AnchorGenerator generator = new AnchorGenerator(TinyNets.TWO_ANCHORS);
        int[][] sizes = {{128, 128}, {256, 256}, {384, 512}};
        for (int[] s : sizes) {
            INDArray[] out = net.output(TinyNets.image(1, DataType.FLOAT, 2, s[0], s[1]));
            long anchors = generator.numAnchors(s[0], s[1]);
            assertEquals(TinyNets.totalAnchors(s[0], s[1], 2), anchors, "anchor generator vs pyramid sizes");
            assertArrayEquals(new long[]{2, anchors * 3}, out[0].shape(), "cls at " + s[0] + "x" + s[1]);
            assertArrayEquals(new long[]{2, anchors * 4}, out[1].shape(), "box at " + s[0] + "x" + s[1]);
        }
    }

    @Test
    void pyramidLevelsHaveTheirStrides() {
        Map<String, INDArray> acts = net.feedForward(TinyNets.image(2, DataType.FLOAT, 1, 256, 384), false);
        int[] strides = {8, 16, 32, 64, 128};
        for (int i = 0; i < 5; i++) {
            INDArray p = acts.get("P" + (i + 3));
            assertArrayEquals(new long[]{1, 8, 256 / strides[i], 384 / strides[i]}, p.shape(), "P" + (i + 3));
        }
    }

    @Test
    void classificationStartsAtThePriorProbability() {
        INDArray[] out = net.output(TinyNets.image(3, DataType.FLOAT, 1, 128, 128));
        // Head weights are N(0, 0.01): logits sit close to the prior bias -log(99).
        assertEquals(-Math.log(99), out[0].meanNumber().doubleValue(), 0.05);
    }
}
