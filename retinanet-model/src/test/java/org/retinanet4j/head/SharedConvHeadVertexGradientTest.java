package org.retinanet4j.head;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.samediff.SameDiffGradientScale;
import org.retinanet4j.gradcheck.DoublePrecision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double-precision gradient check of the shared head (the default direct vertex, two ReLU convolutions): its own
 * parameters (shared by two levels of different sizes) and the convolutions upstream of it, which get correct
 * errors only if the head's input gradients are right. The SameDiff reference's correction factor is checked
 * here too; {@link SharedConvHeadPathsTest} shows that the reference then matches the direct vertex.
 */
@ExtendWith(DoublePrecision.class)
class SharedConvHeadVertexGradientTest {
    @Test
    void measuredCorrectionUndoesTheDoubling() {
        // DL4J 1.0.0-M2.1 doubles SameDiff vertex gradients; on a fixed release the factor is 1.
        SameDiffGradientScale.Factors f = SameDiffGradientScale.factors();
        assertTrue(f.parameterScale() == 0.5 || f.parameterScale() == 1.0, "param factor " + f);
        assertEquals(f.parameterScale(), f.inputScale(), "input and parameter factors agree");
    }

    @Test
    void gradientsOfSharedHeadAndUpstreamLayersAreExact() {
        ComputationGraph net = HeadTestGraph.build(DataType.DOUBLE, 2, 3);
        // Bigger weights than the 0.01 init so every parameter matters to the loss.
        INDArray headParams = net.getVertex("head").params();
        headParams.assign(Nd4j.randn(DataType.DOUBLE, headParams.shape()).muli(0.5));

        Nd4j.getRandom().setSeed(11);
        INDArray a = Nd4j.randn(DataType.DOUBLE, 2, 2, 5, 6);
        INDArray b = Nd4j.randn(DataType.DOUBLE, 2, 2, 3, 3);
        long width = (5 * 6 + 3 * 3) * 2 * 3;
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, width);

        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[]{a, b}).labels(new INDArray[]{labels})
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)); // every entry: the graph path ignores subset
        assertTrue(ok, "gradient check failed (see log)");
    }
}
