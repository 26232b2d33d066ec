package org.retinanet4j.loss;

import java.util.concurrent.atomic.AtomicInteger;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Sigmoid focal loss (Lin et al. 2017) on classification logits, with torchvision's per-image normalisation.
 *
 * <p><b>Input</b>: logits {@code [N, A*K]} from a {@code LossLayer} with {@code Activation.IDENTITY} (one row
 * per image, column {@code a*K + k}). <b>Labels</b>, same shape: {@code 1} positive, {@code 0} negative,
 * {@link #IGNORE} ({@code -1}) for an ignored anchor (all K entries of that anchor). Ignored entries add nothing
 * to the loss or to the gradient. Each positive anchor has exactly one {@code 1} (one-hot), so the number of
 * {@code 1}s in a row is the number of positive anchors of that image.
 *
 * <p><b>Loss</b>: per element {@code -alpha_t (1 - p_t)^gamma log(p_t)}, as
 * {@code torchvision.ops.sigmoid_focal_loss}; {@code alpha < 0} disables the alpha weighting. Per image: the sum
 * over non-ignored elements divided by {@code max(1, positives in that image)}, returned as an {@code [N, 1]}
 * per-example score. DL4J divides the summed per-example scores by N, which gives torchvision's
 * {@code RetinaNet.compute_loss} value (mean over images).
 *
 * <p><b>Computation</b>: {@link #defineLoss} is the SameDiff definition; by default DL4J's calls run a fused
 * kernel with the same formulas and analytic gradient (see {@link FusedSameDiffLoss}); both match torchvision.
 *
 * <p><b>Stability</b>: with the signed logit {@code s = (2y - 1) x}, {@code p_t = sigmoid(s)},
 * {@code -log p_t = softplus(-s)} and {@code (1 - p_t)^gamma = exp(-gamma softplus(s))}; softplus is written
 * as {@code max(s, 0) + log1p(exp(-|s|))}, so logits of any magnitude give finite values and gradients.
 */
public class FocalLoss extends FusedSameDiffLoss {

    /** Label value of an ignored anchor (between the background and foreground IoU thresholds). */
    public static final float IGNORE = -1f;
    public static final double DEFAULT_ALPHA = 0.25;
    public static final double DEFAULT_GAMMA = 2.0;

    @JsonProperty("alpha")
    private double alpha;
    @JsonProperty("gamma")
    private double gamma;

    /** alpha 0.25, gamma 2.0 (the paper's and torchvision's defaults). */
    public FocalLoss() {
        this(DEFAULT_ALPHA, DEFAULT_GAMMA);
    }

    /**
     * @param alpha weight of the positive class in [0, 1]; negative disables alpha weighting
     * @param gamma focusing parameter, at least 0 (0 gives alpha-weighted binary cross-entropy)
     */
    public FocalLoss(double alpha, double gamma) {
        if (Double.isNaN(alpha) || alpha > 1) {
            throw new IllegalArgumentException(
                    "FocalLoss: alpha must be in [0, 1] or negative (disabled), got " + alpha);
        }
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("FocalLoss: gamma must be finite and >= 0, got " + gamma);
        }
        this.alpha = alpha;
        this.gamma = gamma;
    }

    /** JSON creator: a configuration that omits alpha or gamma gets the defaults, not 0. */
    @JsonCreator
    static FocalLoss fromJson(@JsonProperty("alpha") Double alpha, @JsonProperty("gamma") Double gamma) {
        return new FocalLoss(alpha == null ? DEFAULT_ALPHA : alpha, gamma == null ? DEFAULT_GAMMA : gamma);
    }

    public double getAlpha() {
        return alpha;
    }

    public double getGamma() {
        return gamma;
    }

    @Override
    public SDVariable defineLoss(SameDiff sd, SDVariable layerInput, SDVariable labels) {
        SDVariable x = layerInput;
        SDVariable y = labels;
        // Per-element weight: alpha_t for 0/1 labels, 0 for IGNORE. Labels only, so no gradient flows here.
        SDVariable valid = y.gte(0.0).castTo(x.dataType());
        SDVariable weight = alpha < 0 ? valid
                : y.mul(2 * alpha - 1).add(1 - alpha).mul(valid);
        // Signed logit: p_t = sigmoid(s) for both positives (s = x) and negatives (s = -x).
        SDVariable s = x.mul(y.mul(2.0).sub(1.0));
        SDVariable softplusS = sd.nn().relu(s, 0).add(sd.math().log1p(sd.math().exp(sd.math().abs(s).neg())));
        SDVariable crossEntropy = softplusS.sub(s); // -log(p_t) = softplus(-s) = softplus(s) - s
        SDVariable perElement = gamma == 0 ? crossEntropy
                : sd.math().exp(softplusS.mul(-gamma)).mul(crossEntropy); // (1 - p_t)^gamma
        SDVariable perImage = perElement.mul(weight).sum(true, 1);
        SDVariable positives = sd.nn().relu(y, 0).sum(true, 1);
        SDVariable normaliser = positives.add(positives.eq(0.0).castTo(x.dataType())); // max(1, positives)
        return perImage.div(normaliser);
    }

    /**
     * Validates the labels in one parallel pass and counts the positive entries (= positive anchors) of each
     * row. Each chunk stops at its first bad value; the smallest index over chunks is the first bad value.
     */
    @Override
    protected double[] positivesPerImage(INDArray labels, INDArray output) {
        FlatArrays.requireSameShape("FocalLoss", labels, output);
        int columns = (int) labels.size(1);
        try (FlatArrays.FlatValues y = FlatArrays.read(labels)) {
            AtomicInteger firstBad = new AtomicInteger(Integer.MAX_VALUE);
            double[] positives = RowChunks.sumPerRow((int) labels.size(0), columns, 1, (row, from, to) -> {
                int count = 0;
                for (int i = from; i < to; i++) {
                    double v = y.get(i);
                    if (v == 1) {
                        count++;
                    } else if (v != 0 && v != IGNORE) {
                        firstBad.accumulateAndGet(i, Math::min);
                        break;
                    }
                }
                return count;
            });
            int bad = firstBad.get();
            if (bad != Integer.MAX_VALUE) {
                throw new IllegalArgumentException("FocalLoss: label value " + y.get(bad) + " at "
                        + FlatArrays.position(columns, bad) + " is not 1 (positive), 0 (negative) or " + IGNORE
                        + " (ignored)");
            }
            return positives;
        }
    }

    @Override
    protected int valuesPerAnchor(INDArray output) {
        return 1;
    }

    @Override
    protected boolean skipped(double label) {
        return label == IGNORE;
    }

    @Override
    protected double elementLoss(double logit, double label) {
        return elementLoss(logit, label == 1);
    }

    @Override
    protected double elementGradient(double logit, double label) {
        return elementGradient(logit, label == 1);
    }

    /** Both at once: one exp and one log for the two (the expressions of the two methods, to the last bit). */
    @Override
    protected double elementLossAndGradient(double logit, double label, double[] gradient) {
        boolean positive = label == 1;
        double s = positive ? logit : -logit;
        double e = Math.exp(-Math.abs(s));
        double r = 1 / (1 + e);
        double crossEntropy = Math.max(-s, 0) + log1p(e);
        double q = s >= 0 ? e * r : r;
        double pT = s >= 0 ? r : e * r;
        double a = alphaT(positive);
        double m = modulating(q);
        double dLds = -a * m * (gamma * pT * crossEntropy + q);
        gradient[0] = positive ? dLds : -dLds;
        return a * m * crossEntropy;
    }

    // The fused kernel, in double precision. With s = +x for a positive and -x for a negative, e = exp(-|s|):
    // 1 - p_t = q = sigmoid(-s), -log(p_t) = softplus(-s) = max(-s, 0) + log1p(e), and
    // dL/ds = -alpha_t q^gamma (gamma (1 - q) (-log p_t) + q); one exp and one log per element.

    private double elementLoss(double logit, boolean positive) {
        double s = positive ? logit : -logit;
        double e = Math.exp(-Math.abs(s));
        double r = 1 / (1 + e);
        double crossEntropy = Math.max(-s, 0) + log1p(e);
        double q = s >= 0 ? e * r : r;
        return alphaT(positive) * modulating(q) * crossEntropy;
    }

    private double elementGradient(double logit, boolean positive) {
        double s = positive ? logit : -logit;
        double e = Math.exp(-Math.abs(s));
        double r = 1 / (1 + e);
        double crossEntropy = Math.max(-s, 0) + log1p(e);
        double q = s >= 0 ? e * r : r;
        double pT = s >= 0 ? r : e * r; // 1 - q without cancellation
        double dLds = -alphaT(positive) * modulating(q) * (gamma * pT * crossEntropy + q);
        return positive ? dLds : -dLds;
    }

    private double alphaT(boolean positive) {
        return alpha < 0 ? 1 : positive ? alpha : 1 - alpha;
    }

    private double modulating(double q) {
        if (gamma == 2) {
            return q * q;
        }
        if (gamma == 0) {
            return 1;
        }
        return gamma == 1 ? q : Math.pow(q, gamma);
    }

    /** log(1 + e) for e in (0, 1]: Math.log is an intrinsic, Math.log1p is not; the series covers tiny e. */
    private static double log1p(double e) {
        return e < 1e-4 ? e * (1 - e * (0.5 - e / 3)) : Math.log(1 + e);
    }

    @Override
    protected Object[] settings() {
        return new Object[] {alpha, gamma};
    }

    @Override
    public String toString() {
        return "FocalLoss(alpha=" + alpha + ", gamma=" + gamma + ")";
    }
}
