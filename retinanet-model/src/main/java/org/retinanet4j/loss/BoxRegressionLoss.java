package org.retinanet4j.loss;

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
 * <p><b>Computation</b>: {@link #defineLoss} is the SameDiff definition; by default DL4J's calls run a fused
 * kernel with the same formulas and analytic gradient (see {@link FusedSameDiffLoss}).
 *
 * <p><b>Loss</b> per image: {@code sum over positive anchors and the 4 deltas of l(pred - target) / max(1,
 * positive anchors)}, returned as an {@code [N, 1]} per-example score; DL4J averages over the minibatch. This is
 * torchvision's {@code RetinaNetRegressionHead.compute_loss}. {@link Type#L1}: {@code l(d) = |d|} (torchvision's
 * RetinaNet v1 default). {@link Type#SMOOTH_L1} with {@code beta}: {@code 0.5 d^2 / beta} where {@code |d| < beta},
 * else {@code |d| - 0.5 beta}, exactly {@code torch.nn.functional.smooth_l1_loss(beta=beta)}; {@code beta = 0}
 * is L1, as in torch. {@link #DEFAULT_SMOOTH_L1_BETA} = 1/9 is Detectron's RetinaNet value (0.11) for the
 * paper's smooth-L1; torchvision's {@code _box_loss("smooth_l1")} uses beta 1.0 unless told otherwise.
 */
public class BoxRegressionLoss extends FusedSameDiffLoss {

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
    public BoxRegressionLoss(Type type, double beta) {
        if (type == null) {
            throw new IllegalArgumentException("BoxRegressionLoss: type is null");
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("BoxRegressionLoss: beta must be finite and >= 0, got " + beta);
        }
        this.type = type;
        this.beta = beta;
    }

    /** JSON creator: an omitted type is L1; an omitted beta is 0 for L1 and the default for smooth-L1. */
    @JsonCreator
    static BoxRegressionLoss fromJson(@JsonProperty("type") Type type, @JsonProperty("beta") Double beta) {
        Type t = type == null ? Type.L1 : type;
        double b = beta != null ? beta : t == Type.SMOOTH_L1 ? DEFAULT_SMOOTH_L1_BETA : 0.0;
        return new BoxRegressionLoss(t, b);
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

    /** Validates the labels in one pass and counts the positive anchors of each row. */
    @Override
    protected double[] positivesPerImage(INDArray labels, INDArray output) {
        FlatArrays.requireSameShape("BoxRegressionLoss", labels, output);
        int rows = (int) labels.size(0);
        int columns = (int) labels.size(1);
        if (columns % 4 != 0) {
            throw new IllegalArgumentException("BoxRegressionLoss: " + columns
                    + " columns is not a multiple of 4 (labels must be [N, A*4])");
        }
        double[] positives = new double[rows];
        try (FlatArrays.FlatValues t = FlatArrays.read(labels)) {
            for (int r = 0, i = 0; r < rows; r++) {
                int count = 0;
                for (int end = i + columns; i < end; i += 4) {
                    boolean notPositive = t.get(i) == NOT_POSITIVE;
                    for (int j = 0; j < 4; j++) {
                        double v = t.get(i + j);
                        boolean marked = v == NOT_POSITIVE;
                        if (marked != notPositive || !marked && !(v > NOT_POSITIVE / 10.0 && Double.isFinite(v))) {
                            throw new IllegalArgumentException("BoxRegressionLoss: label value " + v + " at "
                                    + FlatArrays.position(columns, i + j) + " is invalid: the 4 entries of anchor "
                                    + ((i % columns) / 4) + " must be all NOT_POSITIVE (" + NOT_POSITIVE
                                    + ") or all finite encoded targets above " + NOT_POSITIVE / 10.0);
                        }
                    }
                    if (!notPositive) {
                        count++;
                    }
                }
                positives[r] = count;
            }
        }
        return positives;
    }

    @Override
    protected int valuesPerAnchor(INDArray output) {
        return 4;
    }

    @Override
    protected boolean skipped(double target) {
        return target == NOT_POSITIVE;
    }

    @Override
    protected double elementLoss(double output, double target) {
        return penalty(output - target);
    }

    @Override
    protected double elementGradient(double output, double target) {
        return penaltyDerivative(output - target);
    }

    private boolean smooth() {
        return type == Type.SMOOTH_L1 && beta > 0;
    }

    private double penalty(double d) {
        double a = Math.abs(d);
        return smooth() && a < beta ? 0.5 * d * d / beta : smooth() ? a - 0.5 * beta : a;
    }

    /** torch's derivative: d / beta inside the quadratic zone, sign(d) outside (0 at d = 0, as torch). */
    private double penaltyDerivative(double d) {
        return smooth() && Math.abs(d) < beta ? d / beta : Math.signum(d);
    }

    @Override
    protected Object[] settings() {
        return new Object[] {type, beta};
    }

    @Override
    public String toString() {
        return "BoxRegressionLoss(type=" + type + ", beta=" + beta + ")";
    }
}
