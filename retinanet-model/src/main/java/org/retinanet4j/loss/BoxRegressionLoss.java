package org.retinanet4j.loss;

import java.util.Objects;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Box regression loss of RetinaNet: L1 or smooth-L1 between predicted and encoded box deltas, over positive
 * anchors only, normalised per image by the number of positive anchors.
 *
 * <p><b>Input</b>: regressions {@code [N, A*4]} from a {@code LossLayer} with {@code Activation.IDENTITY}, column
 * {@code a*4 + j} holding delta {@code j} ({@code dx, dy, dw, dh}) of anchor {@code a}.
 *
 * <p><b>Label layout</b>, same shape {@code [N, A*4]}:
 * <ul>
 *   <li>a positive anchor: its 4 encoded targets (torchvision {@code BoxCoder}, weights 1, 1, 1, 1);</li>
 *   <li>a negative or ignored anchor: all 4 entries equal to {@link #NOT_POSITIVE}.</li>
 * </ul>
 * DL4J requires labels and output to have the same width, so there is no room for a separate flag column: the
 * positive mark lives in the values. An encoded delta can never reach {@code -1e6} (that would be a box
 * {@code e^1e6} times smaller than its anchor), so the marker cannot collide with a real target.
 *
 * <p><b>Loss</b> per image: {@code sum over positive anchors and the 4 deltas of l(pred - target) / max(1,
 * positive anchors)}, returned as an {@code [N, 1]} per-example score; DL4J averages over the minibatch. This is
 * torchvision's {@code RetinaNetRegressionHead.compute_loss}. {@link Type#L1}: {@code l(d) = |d|} (torchvision's
 * RetinaNet v1 default). {@link Type#SMOOTH_L1} with {@code beta}: {@code 0.5 d^2 / beta} where {@code |d| < beta},
 * else {@code |d| - 0.5 beta}, exactly {@code torch.nn.functional.smooth_l1_loss(beta=beta)}; {@code beta = 0}
 * is L1, as in torch. {@link #DEFAULT_SMOOTH_L1_BETA} = 1/9 is Detectron's RetinaNet value (0.11) for the
 * paper's smooth-L1; torchvision's {@code _box_loss("smooth_l1")} uses beta 1.0 unless told otherwise.
 */
public class BoxRegressionLoss extends WorkspaceSafeSameDiffLoss {

    /** Value of all 4 label entries of an anchor that is not positive (negative or ignored). */
    public static final float NOT_POSITIVE = -1.0e6f;
    /** Smooth-L1 beta of Detectron's RetinaNet (0.11, here 1/9); torchvision's own default is 1.0. */
    public static final double DEFAULT_SMOOTH_L1_BETA = 1.0 / 9.0;

    /** The per-delta penalty. */
    public enum Type {
        /** {@code |d|}. */
        L1,
        /** {@code 0.5 d^2 / beta} for {@code |d| < beta}, else {@code |d| - 0.5 beta}. */
        SMOOTH_L1
    }

    @JsonProperty("type")
    private Type type;
    @JsonProperty("beta")
    private double beta;

    /** L1, torchvision's RetinaNet (v1) default. */
    public BoxRegressionLoss() {
        this(Type.L1, 0.0);
    }

    /**
     * @param type L1 or SMOOTH_L1
     * @param beta smooth-L1 transition point, at least 0 (ignored for L1; 0 makes smooth-L1 equal to L1)
     */
    @JsonCreator
    public BoxRegressionLoss(@JsonProperty("type") Type type, @JsonProperty("beta") double beta) {
        if (type == null) {
            throw new IllegalArgumentException("BoxRegressionLoss: type is null");
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("BoxRegressionLoss: beta must be finite and >= 0, got " + beta);
        }
        this.type = type;
        this.beta = beta;
    }

    public Type getType() {
        return type;
    }

    public double getBeta() {
        return beta;
    }

    @Override
    public SDVariable defineLoss(SameDiff sd, SDVariable layerInput, SDVariable labels) {
        // 1 for the entries of positive anchors, 0 for NOT_POSITIVE ones (any real delta is far above -1e5).
        SDVariable positive = labels.gt(NOT_POSITIVE / 10.0).castTo(layerInput.dataType());
        // Zero the difference of non-positive anchors first, so their huge label values never enter the math.
        SDVariable absDiff = sd.math().abs(layerInput.sub(labels).mul(positive));
        SDVariable perDelta;
        if (type == Type.L1 || beta == 0) {
            perDelta = absDiff;
        } else {
            // With c = min(|d|, beta): c (|d| - c/2) / beta is 0.5 d^2 / beta below beta and |d| - beta/2 above.
            SDVariable c = absDiff.sub(sd.nn().relu(absDiff.sub(beta), 0)); // min(|d|, beta)
            perDelta = c.mul(absDiff.sub(c.mul(0.5))).div(beta);
        }
        SDVariable perImage = perDelta.sum(true, 1);
        SDVariable positives = positive.sum(true, 1).div(4.0);
        SDVariable normaliser = positives.add(positives.eq(0.0).castTo(layerInput.dataType())); // max(1, positives)
        return perImage.div(normaliser);
    }

    @Override
    protected void checkInput(INDArray labels, INDArray preOutput) {
        LabelChecks.requireSameShape("BoxRegressionLoss", labels, preOutput);
        if (labels.size(1) % 4 != 0) {
            throw new IllegalArgumentException("BoxRegressionLoss: " + labels.size(1)
                    + " columns is not a multiple of 4 (labels must be [N, A*4])");
        }
        LabelChecks.FlatValues values = LabelChecks.flat(labels);
        int n = (int) labels.length();
        for (int i = 0; i < n; i += 4) {
            boolean notPositive = values.get(i) == NOT_POSITIVE;
            for (int j = 0; j < 4; j++) {
                double v = values.get(i + j);
                boolean marked = v == NOT_POSITIVE;
                if (marked != notPositive || (!marked && !(Double.isFinite(v) && v > NOT_POSITIVE / 10.0))) {
                    throw new IllegalArgumentException("BoxRegressionLoss: label value " + v + " at "
                            + LabelChecks.position(labels, i + j) + " is invalid: the 4 entries of anchor "
                            + ((i % labels.size(1)) / 4) + " must be all NOT_POSITIVE (" + NOT_POSITIVE
                            + ") or all finite encoded targets above " + NOT_POSITIVE / 10.0);
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        BoxRegressionLoss other = (BoxRegressionLoss) o;
        return type == other.type && Double.compare(beta, other.beta) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass(), type, beta);
    }

    @Override
    public String toString() {
        return "BoxRegressionLoss(type=" + type + ", beta=" + beta + ")";
    }
}
