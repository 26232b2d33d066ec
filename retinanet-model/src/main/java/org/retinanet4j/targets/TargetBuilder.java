package org.retinanet4j.targets;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.boxes.BoxCoder;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.loss.FocalLoss;
import org.retinanet4j.spec.RetinaNetSpec;

/**
 * Turns per-image ground truth into the label arrays of the RetinaNet losses, for a whole minibatch.
 *
 * <p>Per image: anchors for the network input size, {@link AnchorMatcher} (0.5 / 0.4, low-quality matches, crowd
 * regions), then class targets {@code [N, A*K]} (1 at the matched label of a positive anchor, 0 elsewhere,
 * {@link FocalLoss#IGNORE} on all K entries of an ignored anchor) and box targets {@code [N, A*4]} ({@link BoxCoder} encoding of the matched box
 * for positives, {@link BoxRegressionLoss#NOT_POSITIVE} on every entry of any other anchor). Invalid ground truth is rejected with an
 * {@link IllegalArgumentException} naming the image and box (see {@code GroundTruthValidator}).
 */
public final class TargetBuilder {

    private final AnchorGenerator anchors;
    private final int numClasses;
    private final AnchorMatcher matcher;
    private final BoxCoder boxCoder;

    /**
     * The targets of a model: its anchors and class count, with torchvision's RetinaNet matching (0.5 / 0.4,
     * low-quality matches) and box coding (weights 1, 1, 1, 1).
     */
    public TargetBuilder(RetinaNetSpec spec) {
        this(new AnchorGenerator(spec.anchors()), spec.numClasses());
    }

    /** torchvision's RetinaNet matching (0.5 / 0.4, low-quality matches) and box coding (weights 1, 1, 1, 1). */
    public TargetBuilder(AnchorGenerator anchors, int numClasses) {
        this(anchors, numClasses, new AnchorMatcher());
    }

    public TargetBuilder(AnchorGenerator anchors, int numClasses, AnchorMatcher matcher) {
        this(anchors, numClasses, matcher, new BoxCoder());
    }

    public TargetBuilder(AnchorGenerator anchors, int numClasses, AnchorMatcher matcher, BoxCoder boxCoder) {
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

    public AnchorMatcher matcher() {
        return matcher;
    }

    /**
     * Anchor assignment of one image: matched box index, {@link AnchorMatcher#BACKGROUND} or
     * {@link AnchorMatcher#IGNORED}.
     */
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
        if (clsWidth > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("TargetBuilder.build: " + numAnchors + " anchors x " + numClasses
                    + " classes exceeds the largest Java array");
        }
        for (int i = 0; i < n; i++) {
            GroundTruthValidator.validate(batch.get(i), i, numClasses, inputHeight, inputWidth);
        }
        // One image's rows are built on the heap and copied into the native arrays: peak heap use is one row
        // (A*K floats), not the whole minibatch.
        INDArray classTargets = Nd4j.create(DataType.FLOAT, n, clsWidth);
        INDArray boxTargets = Nd4j.create(DataType.FLOAT, n, numAnchors * 4L);
        float[] cls = new float[(int) clsWidth];
        float[] box = new float[numAnchors * 4];
        for (int i = 0; i < n; i++) {
            GroundTruth gt = batch.get(i);
            int[] matches = matcher.match(anchorBoxes, gt.boxes(), gt.crowd());
            Arrays.fill(cls, 0f);
            Arrays.fill(box, BoxRegressionLoss.NOT_POSITIVE);
            fillImage(gt, matches, anchorBoxes, cls, 0, box, 0);
            copyRow(classTargets, i, cls, fitsNio(classTargets));
            copyRow(boxTargets, i, box, fitsNio(boxTargets));
        }
        return new RetinaNetTargets(classTargets, boxTargets);
    }

    /** NIO buffers address at most 2 GB. */
    private static boolean fitsNio(INDArray array) {
        return array.length() * Float.BYTES <= Integer.MAX_VALUE;
    }

    /** Writes row {@code row} of a fresh c-order {@code [n, width]} array: a direct buffer write when possible. */
    static void copyRow(INDArray target, int row, float[] values, boolean direct) {
        if (direct) {
            FloatBuffer buffer = target.data().asNioFloat();
            buffer.position(row * values.length);
            buffer.put(values);
        } else {
            target.putRow(row, Nd4j.createFromArray(values));
        }
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
            } else if (m == AnchorMatcher.IGNORED) {
                int start = clsOffset + a * numClasses;
                Arrays.fill(cls, start, start + numClasses, FocalLoss.IGNORE);
            }
        }
    }
}
