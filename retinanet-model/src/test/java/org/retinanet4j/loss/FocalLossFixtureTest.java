package org.retinanet4j.loss;

import static org.retinanet4j.loss.LossFixture.ABS;
import static org.retinanet4j.loss.LossFixture.REL;
import static org.retinanet4j.loss.LossFixture.assertClose;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** FocalLoss against torchvision.ops.sigmoid_focal_loss with compute_loss's per-image normalisation. */
class FocalLossFixtureTest {

    private static FocalLoss lossOf(LossFixture f, boolean sameDiffGraph) {
        FocalLoss loss = new FocalLoss(f.number("alpha"), f.number("gamma"));
        loss.useSameDiffGraph(sameDiffGraph);
        return loss;
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "gamma0", "alpha_off", "gamma_1_5", "extreme", "extreme_gamma0",
        "no_positives"})
    void perImageScoresMeanAndGradientMatchTorchvision(String name) {
        LossFixture f = LossFixture.load("focal_" + name);
        for (boolean graph : new boolean[] {false, true}) {
            f.assertLossMatches(lossOf(f, graph), "logits", DataType.DOUBLE, REL, ABS, path(graph, name));
            f.assertLossMatches(lossOf(f, graph), "logits", DataType.FLOAT, 1e-4, 1e-6,
                    path(graph, name) + " (float)");
        }
    }

    /**
     * Element-wise values: each element is fed as its own "image" next to an ignored entry (which adds nothing),
     * normalised by max(1, 0 or 1) = 1, so the per-example score is exactly torchvision's element-wise loss (0
     * for ignored entries). The ignored partner is there because M2.1's SameDiff reduce_sum fails on a
     * one-column array.
     */
    @ParameterizedTest
    @ValueSource(strings = {"random", "gamma0", "alpha_off", "extreme", "extreme_gamma0"})
    void elementwiseLossMatchesTorchvision(String name) {
        for (boolean graph : new boolean[] {false, true}) {
            LossFixture f = LossFixture.load("focal_" + name);
            long n = f.matrix("logits", DataType.DOUBLE).length();
            INDArray logits = Nd4j.hstack(f.matrix("logits", DataType.DOUBLE).reshape(n, 1),
                    Nd4j.zeros(DataType.DOUBLE, n, 1));
            INDArray labels = Nd4j.hstack(f.matrix("labels", DataType.DOUBLE).reshape(n, 1),
                    Nd4j.valueArrayOf(new long[] {n, 1}, (double) FocalLoss.IGNORE, DataType.DOUBLE));
            INDArray expected = f.matrix("elementwise_loss", DataType.DOUBLE).reshape(n, 1);
            INDArray scores = lossOf(f, graph).computeScoreArray(labels, logits, new ActivationIdentity(), null);
            assertClose(path(graph, name) + " element-wise loss", expected, scores, REL, ABS);
        }
    }


    /** DL4J may hand float labels to a double network (and the reverse): the labels follow the output's type. */
    @org.junit.jupiter.api.Test
    void labelsOfAnotherDataTypeAreCastToTheOutputType() {
        LossFixture f = LossFixture.load("focal_random");
        for (boolean graph : new boolean[] {false, true}) {
            INDArray scores = lossOf(f, graph).computeScoreArray(f.matrix("labels", DataType.FLOAT),
                    f.matrix("logits", DataType.DOUBLE), new ActivationIdentity(), null);
            assertClose(path(graph, "float labels, double logits"), f.column("per_image_loss"), scores, REL, ABS);
        }
    }

    /** The fused path takes one-column outputs (M2.1's SameDiff reduce_sum does not): element-wise losses. */
    @org.junit.jupiter.api.Test
    void fusedPathHandlesOneColumnOutputs() {
        LossFixture f = LossFixture.load("focal_extreme");
        long n = f.matrix("logits", DataType.DOUBLE).length();
        INDArray scores = lossOf(f, false).computeScoreArray(f.matrix("labels", DataType.DOUBLE).reshape(n, 1),
                f.matrix("logits", DataType.DOUBLE).reshape(n, 1), new ActivationIdentity(), null);
        assertClose("one-column element-wise loss", f.matrix("elementwise_loss", DataType.DOUBLE).reshape(n, 1),
                scores, REL, ABS);
    }

    private static String path(boolean graph, String name) {
        return (graph ? "SameDiff graph, " : "fused, ") + name;
    }
}
