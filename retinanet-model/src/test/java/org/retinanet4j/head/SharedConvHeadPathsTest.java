package org.retinanet4j.head;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.onednn.OneDnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The head's runtime ({@link SharedConvHeadGraphVertex}) and its SameDiff reference ({@link SameDiffHeadVertex}: DL4J's
 * SameDiff vertex running the head written as a SameDiff graph, with the M2.1 gradient correction) agree on outputs,
 * parameter gradients and input gradients, with two ReLU convolutions and two levels of different sizes.
 */
class SharedConvHeadPathsTest {

    @Test
    void directAndSameDiffHeadsAgree() {
        ComputationGraph direct = graph(false);
        ComputationGraph sameDiff = graph(true);
        assertInstanceOf(SharedConvHeadGraphVertex.class, direct.getVertex("head"));
        assertFalse(sameDiff.getVertex("head") instanceof SharedConvHeadGraphVertex);
        Nd4j.getRandom().setSeed(4);
        INDArray params = Nd4j.randn(DataType.FLOAT, direct.params().shape()).muli(0.3);
        direct.setParams(params);
        sameDiff.setParams(params.dup());

        INDArray a = Nd4j.randn(DataType.FLOAT, 3, 5, 6, 7);
        INDArray b = Nd4j.randn(DataType.FLOAT, 3, 5, 3, 4);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 3, (6 * 7 + 3 * 4) * 2 * 3);
        assertClose(sameDiff.output(a, b)[0], direct.output(a, b)[0], "outputs");

        for (ComputationGraph g : new ComputationGraph[]{direct, sameDiff}) {
            g.setInputs(a, b);
            g.setLabels(labels);
            g.computeGradientAndScore();
        }
        // the upstream convolutions' gradients carry the head's input gradients
        for (String key : new String[]{"head_conv0W", "head_conv1b", "head_clsLogitsW", "conv_a_W", "conv_b_W"}) {
            assertClose(sameDiff.gradient().getGradientFor(key), direct.gradient().getGradientFor(key), key);
        }
        assertClose(sameDiff.gradient().gradient(), direct.gradient().gradient(), "all parameter gradients");
        assertEquals(OneDnn.enabled(), ((SharedConvHeadGraphVertex) direct.getVertex("head")).ranOneDnn(),
                "float heads run oneDNN's convolutions where it is enabled");

        // a different batch size after the first calls (the case that crashed an earlier SameDiff head)
        INDArray one = direct.output(a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)),
                b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)))[0];
        assertClose(sameDiff.output(a, b)[0].getRow(0, true), one, "batch of one");
    }

    private static ComputationGraph graph(boolean sameDiff) {
        return HeadTestGraph.build(DataType.FLOAT, 5, 5, sameDiff);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = Math.max(1e-6, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": max difference " + diff + " at scale " + scale);
    }
}
