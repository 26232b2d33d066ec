package org.retinanet4j.spec;

import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.preprocess.ImageNormalization;

/**
 * The settings of a {@link RetinaNetSpec}, with torchvision's {@code retinanet_resnet50_fpn} defaults, shared by
 * {@link RetinaNetSpec.Builder} and the zoo model's builder (which adds how the graph runs). {@code B} is the
 * concrete builder, so that calls chain.
 */
public abstract class SpecBuilder<B extends SpecBuilder<B>> {
    private int numClasses = -1;
    private ResNetDepth backbone = ResNetDepth.RESNET50;
    private String backboneName;
    private BatchNormMode batchNormMode = BatchNormMode.TRAINABLE;
    private int trainableBackboneLayers = 5;
    private int fpnWidth = 256;
    private P6Source p6Source = P6Source.P5;
    private int headWidth = 256;
    private int headDepth = 4;
    private double priorProbability = 0.01;
    private double focalAlpha = 0.25;
    private double focalGamma = 2.0;
    private BoxRegressionLoss.Type boxLossType = BoxRegressionLoss.Type.L1;
    private AnchorConfig anchors = AnchorConfig.torchvisionDefault();
    private int inputHeight = 512;
    private int inputWidth = 512;
    private ImageNormalization normalization = ImageNormalization.IMAGENET;
    private DecoderConfig decoder = DecoderConfig.torchvisionDefault();

    protected abstract B self();

    /** Every setting from {@code spec}. */
    public B from(RetinaNetSpec spec) {
        numClasses = spec.numClasses();
        backbone = spec.backbone();
        backboneName = null;
        batchNormMode = spec.batchNormMode();
        trainableBackboneLayers = spec.trainableBackboneLayers();
        fpnWidth = spec.fpnWidth();
        p6Source = spec.p6Source();
        headWidth = spec.headWidth();
        headDepth = spec.headDepth();
        priorProbability = spec.priorProbability();
        focalAlpha = spec.focalAlpha();
        focalGamma = spec.focalGamma();
        boxLossType = spec.boxLossType();
        anchors = spec.anchors();
        inputHeight = spec.inputHeight();
        inputWidth = spec.inputWidth();
        normalization = spec.normalization();
        decoder = spec.decoder();
        return self();
    }

    public B numClasses(int v) {
        numClasses = v;
        return self();
    }

    public B backbone(ResNetDepth v) {
        backbone = v;
        backboneName = null;
        return self();
    }

    /** By name: resnet18, resnet34, resnet50, resnet101 (or 18, 34, ...); checked when built. */
    public B backbone(String name) {
        backboneName = name;
        backbone = null;
        return self();
    }

    public B batchNormMode(BatchNormMode v) {
        batchNormMode = v;
        return self();
    }

    /** torchvision's trainable_backbone_layers, 0..5 (5 = everything trains). */
    public B trainableBackboneLayers(int v) {
        trainableBackboneLayers = v;
        return self();
    }

    public B fpnWidth(int v) {
        fpnWidth = v;
        return self();
    }

    public B p6Source(P6Source v) {
        p6Source = v;
        return self();
    }

    public B headWidth(int v) {
        headWidth = v;
        return self();
    }

    public B headDepth(int v) {
        headDepth = v;
        return self();
    }

    public B priorProbability(double v) {
        priorProbability = v;
        return self();
    }

    public B focalAlpha(double v) {
        focalAlpha = v;
        return self();
    }

    public B focalGamma(double v) {
        focalGamma = v;
        return self();
    }

    public B boxLossType(BoxRegressionLoss.Type v) {
        boxLossType = v;
        return self();
    }

    /** Anchor sizes, scales and ratios over P3..P7 (torchvision's by default). */
    public B anchors(AnchorConfig v) {
        anchors = v;
        return self();
    }

    /** Network input height and width, multiples of the coarsest stride (128). */
    public B inputSize(int height, int width) {
        inputHeight = height;
        inputWidth = width;
        return self();
    }

    public B normalization(ImageNormalization v) {
        normalization = v;
        return self();
    }

    public B decoder(DecoderConfig v) {
        decoder = v;
        return self();
    }

    protected RetinaNetSpec buildSpec() {
        ResNetDepth depth = backboneName != null ? ResNetDepth.parse(backboneName) : backbone;
        return new RetinaNetSpec(numClasses, depth, batchNormMode, trainableBackboneLayers, fpnWidth, p6Source,
                headWidth, headDepth, priorProbability, focalAlpha, focalGamma, boxLossType, anchors, inputHeight,
                inputWidth, normalization, decoder);
    }
}
