package org.retinanet4j.examples.focalloss;

import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.loss.FocalLoss;

/**
 * The data of the paper's Figure 1 (loss against the probability of the ground-truth class, p_t), computed by
 * the project's {@link FocalLoss} itself rather than by a re-typed formula: one positive logit per row, chosen so
 * that {@code sigmoid(logit) = p_t}, scored by the loss's {@code computeScoreArray}. One positive per row makes
 * the per-image normaliser 1, so each row's score is the per-element loss {@code -alpha_t (1 - p_t)^gamma log p_t}.
 */
public final class FocalLossCurves {

    /** The focusing parameters of the paper's Figure 1. */
    public static final double[] PAPER_GAMMAS = {0, 0.5, 1, 2, 5};

    private FocalLossCurves() {
    }

    /** {@code n} values of p_t evenly spaced over [0.01, 0.99] (the loss is infinite at 0 and 0 at 1). */
    public static double[] ptGrid(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("ptGrid: need at least 2 points, got " + n);
        }
        double[] pt = new double[n];
        for (int i = 0; i < n; i++) {
            pt[i] = 0.01 + 0.98 * i / (n - 1);
        }
        return pt;
    }

    /** The loss {@code loss} gives an element whose ground-truth class has probability {@code pt[i]}. */
    public static double[] lossAgainstPt(FocalLoss loss, double[] pt) {
        double[] logits = new double[pt.length];
        double[] ones = new double[pt.length];
        for (int i = 0; i < pt.length; i++) {
            if (!(pt[i] > 0 && pt[i] < 1)) {
                throw new IllegalArgumentException("lossAgainstPt: p_t must be in (0, 1), got " + pt[i]);
            }
            logits[i] = Math.log(pt[i] / (1 - pt[i]));   // sigmoid(logit) = p_t for a positive (label 1)
            ones[i] = 1;
        }
        INDArray x = Nd4j.create(logits, new long[] {pt.length, 1}, DataType.DOUBLE);
        INDArray y = Nd4j.create(ones, new long[] {pt.length, 1}, DataType.DOUBLE);
        return loss.computeScoreArray(y, x, new ActivationIdentity(), null).toDoubleVector();
    }
}
