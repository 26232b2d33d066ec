package org.retinanet4j.targets;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.boxes.BoxCoder;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.loss.FocalLoss;

/**
 * Turns per-image ground truth into the label arrays of the RetinaNet losses, for a whole minibatch.
 *
 * <p>Per image: anchors for the network input size, {@link Matcher} (0.5 / 0.4, low-quality matches, crowd
 * regions), then class targets {@code [N, A*K]} (1 at the matched label of a positive anchor, 0 elsewhere,
 * {@link FocalLoss#IGNORE} on all K entries of an ignored anchor) and box targets {@code [N, A*4]} ({@link BoxCoder} encoding of the matched box
 * for positives, {@link BoxRegressionLoss#NOT_POSITIVE} on every entry of any other anchor). Invalid ground truth is rejected with an
 * {@link IllegalArgumentException} naming the image and box (see {@code GroundTruthValidator}).
 */
public final class TargetBuilder {

    private final AnchorGenerator anchors;
    private final int numClasses;
    private final Matcher matcher;
    private final BoxCoder boxCoder;

    /** torchvision's RetinaNet matching (0.5 / 0.4, low-quality matches) and box coding (weights 1, 1, 1, 1). */
    public TargetBuilder(AnchorGenerator anchors, int numClasses) {
        this(anchors, numClasses, new Matcher());
    }

    public TargetBuilder(AnchorGenerator anchors, int numClasses, Matcher matcher) {
        this(anchors, numClasses, matcher, new BoxCoder());
    }

    public TargetBuilder(AnchorGenerator anchors, int numClasses, Matcher matcher, BoxCoder boxCoder) {
        if (anchors == null || matcher == null || boxCoder == null) {
            throw new IllegalArgumentException("TargetBuilder: anchors, matcher and boxCoder must not be null");
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("TargetBuilder.numClasses must be > 0, got " + numClasses);
        }
        this.anchors = anchors;
        this.numClasses = numClasses;
        this.matcher = matcher;
        this.boxCoder = boxCoder;
    }

    public int numClasses() {
        return numClasses;
    }

    public AnchorGenerator anchorGenerator() {
        return anchors;
    }

    public Matcher matcher() {
        return matcher;
    }

    /** Anchor assignment of one image: matched box index, {@link Matcher#BACKGROUND} or {@link Matcher#IGNORED}. */
    public int[] match(GroundTruth gt, int inputHeight, int inputWidth) {
        GroundTruthValidator.validate(gt, 0, numClasses, inputHeight, inputWidth);
        return matcher.match(anchors.anchors(inputHeight, inputWidth), gt.boxes(), gt.crowd());
    }

    /**
     * Builds the targets of a minibatch whose network input is {@code inputHeight x inputWidth} (padded size).
     */
    public RetinaNetTargets build(List<GroundTruth> batch, int inputHeight, int inputWidth) {
        if (batch == null || batch.isEmpty()) {
            throw new IllegalArgumentException("TargetBuilder.build: the batch must hold at least one image");
        }
        float[] anchorBoxes = anchors.anchors(inputHeight, inputWidth);
        int numAnchors = anchorBoxes.length / 4;
        int n = batch.size();
        long clsWidth = (long) numAnchors * numClasses;
        if ((long) n * clsWidth > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("TargetBuilder.build: " + n + " images x " + numAnchors + " anchors x "
                    + numClasses + " classes exceeds the largest Java array; use smaller minibatches");
        }
        float[] cls = new float[(int) (n * clsWidth)];
        float[] box = new float[n * numAnchors * 4];
        Arrays.fill(box, BoxRegressionLoss.NOT_POSITIVE);
        for (int i = 0; i < n; i++) {
            GroundTruth gt = batch.get(i);
            GroundTruthValidator.validate(gt, i, numClasses, inputHeight, inputWidth);
            int[] matches = matcher.match(anchorBoxes, gt.boxes(), gt.crowd());
            fillImage(gt, matches, anchorBoxes, cls, (int) (i * clsWidth), box, i * numAnchors * 4);
        }
        INDArray classTargets = Nd4j.create(cls, new long[] {n, clsWidth}, DataType.FLOAT);
        INDArray boxTargets = Nd4j.create(box, new long[] {n, numAnchors * 4L}, DataType.FLOAT);
        return new RetinaNetTargets(classTargets, boxTargets);
    }

    private void fillImage(GroundTruth gt, int[] matches, float[] anchorBoxes, float[] cls, int clsOffset,
                           float[] box, int boxOffset) {
        int[] labels = gt.labels();
        float[] gtBoxes = gt.boxes();
        for (int a = 0; a < matches.length; a++) {
            int m = matches[a];
            if (m >= 0) {
                cls[clsOffset + a * numClasses + labels[m]] = 1f;
                boxCoder.encode(gtBoxes, m * 4, anchorBoxes, a * 4, box, boxOffset + a * 4);
            } else if (m == Matcher.IGNORED) {
                int start = clsOffset + a * numClasses;
                Arrays.fill(cls, start, start + numClasses, FocalLoss.IGNORE);
            }
        }
    }
}
