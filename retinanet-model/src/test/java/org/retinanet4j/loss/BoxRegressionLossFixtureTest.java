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

    private static BoxRegressionLoss lossOf(LossFixture f) {
        return new BoxRegressionLoss(BoxRegressionLoss.Type.valueOf(f.text("type")), f.number("beta"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"l1", "smooth_l1_ninth", "smooth_l1_one"})
    void perImageScoresAndGradientMatchTorchInDouble(String name) {
        LossFixture f = LossFixture.load("box_" + name);
        BoxRegressionLoss loss = lossOf(f);
        INDArray pred = f.matrix("predictions", DataType.DOUBLE);
        INDArray labels = f.matrix("labels", DataType.DOUBLE);
        INDArray scores = loss.computeScoreArray(labels, pred, new ActivationIdentity(), null);
        assertClose(name + " per-image loss", f.column("per_image_loss"), scores, REL, ABS);
        double mean = loss.computeScore(labels, pred, new ActivationIdentity(), null, true);
        assertClose(name + " mean loss", f.number("mean_loss"), mean, REL, ABS);
        INDArray grad = loss.computeGradient(labels, pred, new ActivationIdentity(), null);
        assertClose(name + " gradient", f.matrix("grad_sum", DataType.DOUBLE), grad, REL, ABS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"l1", "smooth_l1_ninth", "smooth_l1_one"})
    void floatPathMatchesTorchToFloatPrecision(String name) {
        LossFixture f = LossFixture.load("box_" + name);
        BoxRegressionLoss loss = lossOf(f);
        INDArray pred = f.matrix("predictions", DataType.FLOAT);
        INDArray labels = f.matrix("labels", DataType.FLOAT);
        INDArray scores = loss.computeScoreArray(labels, pred, new ActivationIdentity(), null);
        assertClose(name + " per-image loss (float)", f.column("per_image_loss"), scores, 1e-4, 1e-6);
        INDArray grad = loss.computeGradient(labels, pred, new ActivationIdentity(), null);
        assertClose(name + " gradient (float)", f.matrix("grad_sum", DataType.DOUBLE), grad, 1e-4, 1e-6);
    }
}
