package org.retinanet4j.loss;

import static org.retinanet4j.loss.LossFixture.ABS;
import static org.retinanet4j.loss.LossFixture.REL;
import static org.retinanet4j.loss.LossFixture.assertClose;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** BoxRegressionLoss against torch's l1_loss / smooth_l1_loss on positive anchors, / max(1, positives). */
class BoxRegressionLossFixtureTest {

    private static BoxRegressionLoss lossOf(LossFixture f, boolean sameDiffGraph) {
        BoxRegressionLoss loss =
                new BoxRegressionLoss(BoxRegressionLoss.Type.valueOf(f.text("type")), f.number("beta"));
        loss.useSameDiffGraph(sameDiffGraph);
        return loss;
    }

    @ParameterizedTest
    @ValueSource(strings = {"l1", "smooth_l1_ninth", "smooth_l1_one"})
    void perImageScoresAndGradientMatchTorchInDouble(String name) {
        for (boolean graph : new boolean[] {false, true}) {
            LossFixture f = LossFixture.load("box_" + name);
            BoxRegressionLoss loss = lossOf(f, graph);
            INDArray pred = f.matrix("predictions", DataType.DOUBLE);
            INDArray labels = f.matrix("labels", DataType.DOUBLE);
            INDArray scores = loss.computeScoreArray(labels, pred, new ActivationIdentity(), null);
            assertClose(path(graph, name) + " per-image loss", f.column("per_image_loss"), scores, REL, ABS);
            double mean = loss.computeScore(labels, pred, new ActivationIdentity(), null, true);
            assertClose(path(graph, name) + " mean loss", f.number("mean_loss"), mean, REL, ABS);
            INDArray grad = loss.computeGradient(labels, pred, new ActivationIdentity(), null);
            assertClose(path(graph, name) + " gradient", f.matrix("grad_sum", DataType.DOUBLE), grad, REL, ABS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"l1", "smooth_l1_ninth", "smooth_l1_one"})
    void floatPathMatchesTorchToFloatPrecision(String name) {
        for (boolean graph : new boolean[] {false, true}) {
            LossFixture f = LossFixture.load("box_" + name);
            BoxRegressionLoss loss = lossOf(f, graph);
            INDArray pred = f.matrix("predictions", DataType.FLOAT);
            INDArray labels = f.matrix("labels", DataType.FLOAT);
            INDArray scores = loss.computeScoreArray(labels, pred, new ActivationIdentity(), null);
            assertClose(path(graph, name) + " per-image loss (float)", f.column("per_image_loss"), scores, 1e-4, 1e-6);
            INDArray grad = loss.computeGradient(labels, pred, new ActivationIdentity(), null);
            assertClose(path(graph, name) + " gradient (float)", f.matrix("grad_sum", DataType.DOUBLE), grad,
                    1e-4, 1e-6);
        }
    }

    private static String path(boolean graph, String name) {
        return (graph ? "SameDiff graph, " : "fused, ") + name;
    }
}
