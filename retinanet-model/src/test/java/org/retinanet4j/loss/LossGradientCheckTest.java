package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.retinanet4j.gradcheck.DoublePrecision;

/**
 * DL4J's numerical gradient check, in double precision, through a small ComputationGraph ending in both losses
 * (labels with positive, negative and ignored anchors, and an image without positives).
 */
@ExtendWith(DoublePrecision.class)
class LossGradientCheckTest {
    @Test
    void defaultFocalLossAndL1BoxLossPass() {
        check(new FocalLoss(), new BoxRegressionLoss());
    }

    @Test
    void alphaOffNonIntegerGammaAndSmoothL1Pass() {
        check(new FocalLoss(-1, 1.5), new BoxRegressionLoss(BoxRegressionLoss.Type.SMOOTH_L1, 0.5));
    }

    private static void check(FocalLoss focal, BoxRegressionLoss box) {
        Nd4j.getRandom().setSeed(42);
        ComputationGraph net = LossTestGraphs.graph(focal, box, DataType.DOUBLE, new NoOp());
        INDArray input = LossTestGraphs.input(3, DataType.DOUBLE);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(net)
                .inputs(new INDArray[] {input})
                .labels(new INDArray[] {LossTestGraphs.classLabels(DataType.DOUBLE),
                    LossTestGraphs.boxLabels(DataType.DOUBLE)})
                .epsilon(1e-6)
                .maxRelError(1e-3)
                .minAbsoluteError(1e-8)); // every entry: the graph is small, and M2.1's graph path ignores subset
        assertTrue(ok, "gradient check failed for " + focal + " + " + box);
    }
}
