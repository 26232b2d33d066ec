package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's LossLayer asks for the gradient, then for the score of the same arrays: the score then comes from the
 * gradient pass, equal to the last bit to a score computed on its own, and only for exactly those arrays, once,
 * on the thread that made it.
 */
class GradientThenScoreTest {
    private static final IActivation IDENTITY = new ActivationIdentity();

    /** Counts the element losses computed by score passes (the gradient pass computes them otherwise). */
    private static final class CountingFocalLoss extends FocalLoss {
        final AtomicLong scorePassElements = new AtomicLong();

        @Override
        protected double elementLoss(double logit, double label) {
            scorePassElements.incrementAndGet();
            return super.elementLoss(logit, label);
        }
    }

    /** The loss and gradient from their own methods, as before the shared pass. */
    private static final class TwoMethodFocalLoss extends FocalLoss {
        @Override
        protected double elementLossAndGradient(double logit, double label, double[] gradient) {
            gradient[0] = elementGradient(logit, label);
            return elementLoss(logit, label);
        }
    }

    private static INDArray labels(int rows, int columns) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows, columns);
        for (int r = 0; r < rows; r++) {
            for (int c = r; c < columns; c += 37) {
                y.putScalar(r, c, 1);
            }
            for (int c = r + 5; c < columns; c += 53) {
                y.putScalar(r, c, FocalLoss.IGNORE);
            }
        }
        return y;
    }

    @Test
    void theScoreAfterTheGradientComesFromItsPassAndEqualsAScoreOfItsOwn() throws Exception {
        int rows = 3;
        int columns = 150_000; // several chunks per row
        INDArray y = labels(rows, columns);
        INDArray x = Nd4j.randn(DataType.FLOAT, rows, columns).muli(3);
        double[] alone = new FocalLoss().computeScoreArray(y, x, IDENTITY, null).toDoubleVector();

        CountingFocalLoss loss = new CountingFocalLoss();
        INDArray gradient = loss.computeGradient(y, x, IDENTITY, null);
        TwoMethodFocalLoss twoMethods = new TwoMethodFocalLoss();
        assertArrayEquals(twoMethods.computeGradient(y, x, IDENTITY, null).data().asFloat(),
                gradient.data().asFloat(), 0f, "the gradient is the one of the two methods");
        assertArrayEquals(alone, twoMethods.computeScoreArray(y, x, IDENTITY, null).toDoubleVector(), 0,
                "and so is its score");
        double[] after = loss.computeScoreArray(y, x, IDENTITY, null).toDoubleVector();
        assertArrayEquals(alone, after, 0, "the score from the gradient pass, to the last bit");
        assertEquals(0, loss.scorePassElements.get(), "no second pass over the elements");
        assertEquals(new FocalLoss().computeScore(y, x, IDENTITY, null, false),
                loss.computeScore(y, x, IDENTITY, null, false), 0, "taken once: the next score is computed afresh");
        assertTrue(loss.scorePassElements.get() > 0, "the second score call ran its own pass");

        loss.scorePassElements.set(0);
        INDArray other = x.dup().muli(0.5);
        loss.computeGradient(y, x, IDENTITY, null);
        double[] forOther = loss.computeScoreArray(y, other, IDENTITY, null).toDoubleVector();
        assertArrayEquals(new FocalLoss().computeScoreArray(y, other, IDENTITY, null).toDoubleVector(), forOther,
                0, "other outputs get their own score");
        assertTrue(loss.scorePassElements.get() > 0);

        loss.scorePassElements.set(0);
        Thread elsewhere = new Thread(() -> loss.computeGradient(y, x, IDENTITY, null));
        elsewhere.start();
        elsewhere.join();
        assertArrayEquals(alone, loss.computeScoreArray(y, x, IDENTITY, null).toDoubleVector(), 0);
        assertTrue(loss.scorePassElements.get() > 0, "another thread's gradient pass does not feed this thread");
    }

    @Test
    void boxLossScoreAfterItsGradientEqualsAScoreOfItsOwn() {
        int rows = 2;
        int anchors = 30_000;
        INDArray t = Nd4j.randn(DataType.FLOAT, rows, anchors * 4L).muli(0.5);
        for (int a = 0; a < anchors; a++) {
            if (a % 7 != 0) {
                for (int j = 0; j < 4; j++) {
                    t.putScalar(a % rows, a * 4L + j, BoxRegressionLoss.NOT_POSITIVE);
                    t.putScalar((a + 1) % rows, a * 4L + j, BoxRegressionLoss.NOT_POSITIVE);
                }
            }
        }
        INDArray x = Nd4j.randn(DataType.FLOAT, rows, anchors * 4L);
        BoxRegressionLoss loss = new BoxRegressionLoss();
        double[] alone = new BoxRegressionLoss().computeScoreArray(t, x, IDENTITY, null).toDoubleVector();
        loss.computeGradient(t, x, IDENTITY, null);
        assertArrayEquals(alone, loss.computeScoreArray(t, x, IDENTITY, null).toDoubleVector(), 0);
    }
}
