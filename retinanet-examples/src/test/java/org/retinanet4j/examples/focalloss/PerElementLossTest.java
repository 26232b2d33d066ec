package org.retinanet4j.examples.focalloss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.loss.FocalLoss;

/** Per-entry losses add up to FocalLoss's own per-image score, entry by entry equal to the formula. */
class PerElementLossTest {

    @Test
    void entriesAddUpToThePerImageScore() {
        double[] x = {2.0, -1.0, 0.5, -3.0, 1.5, 0.0};
        float[] y = {1, 0, 0, -1, -1, 1};   // two positives, two negatives, one ignored anchor (2 entries)
        INDArray logits = Nd4j.create(x, new long[] {1, 6}, DataType.DOUBLE);
        INDArray labels = Nd4j.create(y, new long[] {1, 6}, DataType.FLOAT);
        FocalLoss loss = new FocalLoss();
        double[] each = PerElementLoss.of(loss, logits, labels);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double p = 1 / (1 + Math.exp(-x[i]));
            double pt = y[i] == 1 ? p : 1 - p;
            double alphaT = y[i] == 1 ? 0.25 : 0.75;
            double expected = y[i] < 0 ? 0 : -alphaT * Math.pow(1 - pt, 2) * Math.log(pt);
            assertEquals(expected, each[i], 1e-12, "entry " + i);
            sum += each[i];
        }
        double perImage = loss.computeScoreArray(labels.castTo(DataType.DOUBLE), logits, new ActivationIdentity(), null)
                .getDouble(0);
        assertEquals(perImage, sum / 2, 1e-12, "the image's score is the entries' sum over its 2 positives");
    }
}
