package org.retinanet4j.spec;

import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;

/**
 * Everything that defines a RetinaNet model, in one immutable value: the network (backbone, FPN, heads, losses,
 * number of classes), its anchors, the input it expects (size, padding, normalisation) and how its outputs are
 * decoded. The zoo builds the graph from it, the target builder and the data iterator prepare training batches
 * from it, the {@code Detector} runs and decodes with it, fine-tuning and the torchvision import produce it, and
 * every saved model carries it (metadata format 2). Nothing else holds these settings.
 *
 * <p>Valid by construction: the canonical constructor checks every component, so a spec read from JSON is
 * checked as one made with {@link #builder()}. Settings that only affect how a graph is run or trained (seed,
 * workspace and cache modes, data type, the optimiser) are not part of it: they do not change what a saved model
 * computes.
 *
 * @param numClasses              K independent sigmoid classes (no background class)
 * @param backbone                ResNet depth
 * @param batchNormMode           trainable BatchNorm layers, or frozen BatchNorm folded into the convolutions
 * @param trainableBackboneLayers torchvision's {@code trainable_backbone_layers}: the last n of [stem, layer1..4]
 *                                train (0..5); below 4 needs FROZEN BatchNorm
 * @param fpnWidth                FPN channels
 * @param p6Source                P6 from P5 (torchvision v1) or from C5 (the paper)
 * @param headWidth               channels of the head convolutions
 * @param headDepth               3x3 convolutions per head before the predictor
 * @param priorProbability        classification prior: predictor bias {@code -log((1 - pi) / pi)}
 * @param focalAlpha              focal loss alpha (negative: no weighting)
 * @param focalGamma              focal loss gamma
 * @param boxLossType             box regression loss
 * @param anchors                 anchor sizes, scales and ratios over P3..P7
 * @param inputHeight             network input height: images are resized as torchvision does (shorter side to
 *                                min(height, width), longer side at most max(height, width)); a multiple of
 *                                {@link #paddingMultiple()}
 * @param inputWidth              network input width
 * @param normalization           per-channel mean and standard deviation of the input pixels
 * @param decoder                 post-processing of the outputs (score threshold, top-k, NMS, detections kept)
 */
public record RetinaNetSpec(int numClasses, ResNetDepth backbone, BatchNormMode batchNormMode,
                            int trainableBackboneLayers, int fpnWidth, P6Source p6Source, int headWidth,
                            int headDepth, double priorProbability, double focalAlpha, double focalGamma,
                            BoxRegressionLoss.Type boxLossType, AnchorConfig anchors, int inputHeight,
                            int inputWidth, ImageNormalization normalization, DecoderConfig decoder) {

    /** The pyramid levels the network computes (P3..P7); the anchors must describe exactly these. */
    public static final int FIRST_LEVEL = 3;
    public static final int NUM_LEVELS = 5;
    /** The stride of P7 (2^7), which the input size must be a multiple of: {@link #paddingMultiple()}. */
    public static final int PADDING_MULTIPLE = 1 << (FIRST_LEVEL + NUM_LEVELS - 1);

    public RetinaNetSpec {
        require(numClasses > 0, "numClasses must be > 0, got " + numClasses);
        require(backbone != null, "backbone must be set");
        require(batchNormMode != null, "batchNormMode must be set");
        require(trainableBackboneLayers >= 0 && trainableBackboneLayers <= 5,
                "trainableBackboneLayers must be 0..5, got " + trainableBackboneLayers);
        require(batchNormMode == BatchNormMode.FROZEN || trainableBackboneLayers >= 4,
                "trainableBackboneLayers " + trainableBackboneLayers + " freezes residual stages, which needs "
                        + "batchNormMode FROZEN (a frozen DL4J BatchNormalization layer runs in inference mode)");
        require(fpnWidth > 0, "fpnWidth must be > 0, got " + fpnWidth);
        require(p6Source != null, "p6Source must be set");
        require(headWidth > 0, "headWidth must be > 0, got " + headWidth);
        require(headDepth >= 0, "headDepth must be >= 0, got " + headDepth);
        require(priorProbability > 0 && priorProbability < 1,
                "priorProbability must be in (0, 1), got " + priorProbability);
        require(focalGamma >= 0, "focalGamma must be >= 0, got " + focalGamma);
        require(focalAlpha <= 1, "focalAlpha must be <= 1 (negative disables it), got " + focalAlpha);
        require(boxLossType != null, "boxLossType must be set");
        require(anchors != null, "anchors must be set");
        require(anchors.numLevels() == NUM_LEVELS, "anchors must have one base size per level P3..P7 ("
                + NUM_LEVELS + "), got " + anchors.numLevels() + ": " + java.util.Arrays.toString(anchors.baseSizes()));
        require(anchors.firstLevel() == FIRST_LEVEL, "anchors.firstLevel must be " + FIRST_LEVEL + " (P3), got "
                + anchors.firstLevel());
        int multiple = 1 << (anchors.firstLevel() + anchors.numLevels() - 1);
        require(inputHeight > 0 && inputHeight % multiple == 0, "inputHeight must be a positive multiple of "
                + multiple + " (the stride of P7), got " + inputHeight);
        require(inputWidth > 0 && inputWidth % multiple == 0, "inputWidth must be a positive multiple of "
                + multiple + " (the stride of P7), got " + inputWidth);
        require(normalization != null, "normalization must be set");
        require(decoder != null, "decoder must be set");
    }

    /** torchvision's {@code retinanet_resnet50_fpn} (v1) settings; {@code numClasses} still to be given. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this spec's settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder().from(this);
    }

    /** Anchors per feature-map location (scales x aspect ratios): A of the outputs {@code [N, A*K]}. */
    public int anchorsPerLocation() {
        return anchors.anchorsPerLocation();
    }

    /**
     * What inputs are padded to a multiple of: the coarsest anchor stride (2^7 = 128 for P7), so that every
     * level's feature map covers the input with a power-of-two stride.
     */
    public int paddingMultiple() {
        return 1 << (anchors.firstLevel() + anchors.numLevels() - 1);
    }

    /** torchvision's resize for this input size: shorter side to min(H, W), longer side at most max(H, W). */
    public ResizeRule resizeRule() {
        return new ResizeRule(Math.min(inputHeight, inputWidth), Math.max(inputHeight, inputWidth));
    }

    /** Zero padding at the bottom and right up to {@link #paddingMultiple()}. */
    public PaddingRule paddingRule() {
        return PaddingRule.toMultipleOf(paddingMultiple());
    }

    /** {@code {3, inputHeight, inputWidth}}, as DL4J's zoo models give their input shape. */
    public int[] inputShape() {
        return new int[]{3, inputHeight, inputWidth};
    }

    public RetinaNetSpec withNumClasses(int k) {
        return toBuilder().numClasses(k).build();
    }

    public RetinaNetSpec withDecoder(DecoderConfig d) {
        return toBuilder().decoder(d).build();
    }

    /** One line for logs and the command line, e.g. {@code RESNET18-FPN 32 wide, heads 32 x 1, 3 classes, ...}. */
    public String summary() {
        return backbone + "-FPN " + fpnWidth + " wide (P6 from " + p6Source + "), heads " + headWidth + " x "
                + headDepth + ", " + numClasses + " classes, " + anchorsPerLocation() + " anchors per location "
                + java.util.Arrays.toString(anchors.baseSizes()) + " px, input " + inputHeight + "x" + inputWidth
                + ", " + batchNormMode + " BatchNorm, " + trainableBackboneLayers + " trainable backbone layers";
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("RetinaNetSpec: " + message);
        }
    }

    /** Builds a {@link RetinaNetSpec}; {@link #build()} validates. */
    public static final class Builder extends SpecBuilder<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        public RetinaNetSpec build() {
            return buildSpec();
        }
    }
}
