package org.retinanet4j.examples.focalloss;

import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.loss.FocalLoss;

/**
 * The loss of every (anchor, class) entry of one image, computed by {@link FocalLoss}: the image's row
 * {@code [1, A*K]} is scored as {@code A*K} rows of one entry each. A row holds at most one positive, so the
 * per-image normaliser {@code max(1, positives)} is 1 and each score is the entry's own loss (ignored entries
 * give 0). In training the whole row is divided by the image's number of positive anchors; that scales every
 * entry alike and changes no share of the total.
 */
public final class PerElementLoss {

    private PerElementLoss() {
    }

    /** Loss of each entry of {@code logits} {@code [1, A*K]} with class targets {@code labels} of the same shape. */
    public static double[] of(FocalLoss loss, INDArray logits, INDArray labels) {
        if (logits.rank() != 2 || logits.size(0) != 1 || !logits.equalShapes(labels)) {
            throw new IllegalArgumentException("PerElementLoss: need logits and labels of one image, [1, A*K], got "
                    + java.util.Arrays.toString(logits.shape()) + " and " + java.util.Arrays.toString(labels.shape()));
        }
        long n = logits.length();
        INDArray x = logits.reshape(n, 1);
        INDArray y = labels.castTo(logits.dataType()).reshape(n, 1);
        return loss.computeScoreArray(y, x, new ActivationIdentity(), null).toDoubleVector();
    }
}
