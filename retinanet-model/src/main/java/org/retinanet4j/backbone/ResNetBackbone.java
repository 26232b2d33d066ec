package org.retinanet4j.backbone;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.nd4j.linalg.activations.Activation;

/**
 * Adds a torchvision-layout ResNet (18/34/50/101) to a graph and returns C3, C4, C5.
 *
 * <p>Layout as {@code torchvision.models.resnet}: stem conv7x7/2 pad 3 (no bias) + BN + ReLU + maxpool 3/2 pad 1;
 * BasicBlock or Bottleneck v1.5 (stride on the 3x3); downsample = 1x1 conv + BN on the first block of a stage
 * whose stride or width changes; convolutions without bias. Padding is explicit with
 * {@code ConvolutionMode.Truncate}, which reproduces PyTorch's output sizes exactly.
 *
 * <p>Layer names are torchvision module paths with '.' replaced by '_' ({@code conv1}, {@code bn1},
 * {@code layer1_0_conv1}, {@code layer1_0_bn1}, {@code layer1_0_downsample_0} (conv),
 * {@code layer1_0_downsample_1} (BN)), so a state_dict maps mechanically: {@code X.weight} (conv,
 * {@code [cOut, cIn, k, k]}, same order as DL4J's {@code W}), BN {@code weight/bias/running_mean/running_var}
 * -&gt; {@code gamma/beta/mean/log10stdev} (log10stdev = log10(sqrt(var + eps))). In {@link BatchNormMode#FROZEN}
 * the BN layers do not exist: the BN is folded into the convolution of the same prefix, which has a bias.
 * ReLUs and additions are parameter-free: {@code relu}, {@code maxpool}, {@code layerS_B_relu1..3},
 * {@code layerS_B_add}.
 *
 * <p>{@code trainableLayers} follows torchvision's {@code trainable_backbone_layers} (0..5): the last k of
 * [stem, layer1, layer2, layer3, layer4] train. The stem (a chain of layers fed by the input) is wrapped in DL4J
 * {@code FrozenLayer}, which sends no gradient upstream: nothing upstream needs one. Frozen residual stages cannot
 * use {@code FrozenLayer}: their residual-add vertices then receive no error and backprop fails ("errors not
 * set", verified), so their layers are wrapped in {@code FrozenLayerWithBackprop} (no update, errors pass
 * through). That wrapper is broken for BatchNormalization in M2.1, so freezing a residual stage requires
 * {@link BatchNormMode#FROZEN} (the BN folded into the convolutions); the constructor rejects the other case.
 */
public final class ResNetBackbone {
    public static final double BN_EPS = 1e-5;
    /** DL4J decay = 1 - torchvision momentum (0.1). */
    public static final double BN_DECAY = 0.9;

    private final ResNetDepth depth;
    private final BatchNormMode bnMode;
    private final int trainableLayers;

    public ResNetBackbone(ResNetDepth depth, BatchNormMode bnMode, int trainableLayers) {
        if (trainableLayers < 0 || trainableLayers > 5) {
            throw new IllegalArgumentException("trainableBackboneLayers must be 0..5, got " + trainableLayers);
        }
        if (bnMode == BatchNormMode.TRAINABLE && trainableLayers < 4) {
            throw new IllegalArgumentException("trainableBackboneLayers " + trainableLayers + " freezes residual "
                    + "stages, which needs batchNormMode FROZEN: DL4J 1.0.0-M2.1's FrozenLayerWithBackprop is broken "
                    + "for BatchNormalization (use trainableBackboneLayers 4 or 5 with trainable BN)");
        }
        this.depth = depth;
        this.bnMode = bnMode;
        this.trainableLayers = trainableLayers;
    }

    /** Adds the backbone after {@code input} (3 channels) and returns the C3..C5 vertex names. */
    public BackboneFeatures addTo(GraphBuilder g, String input) {
        boolean stemFrozen = isFrozen(0);
        String x = convBn(g, "conv1", "bn1", input, 3, 64, 7, 2, 3, stemFrozen);
        x = add(g, "relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), stemFrozen, x);
        x = add(g, "maxpool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(3, 3).stride(2, 2).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build(),
                stemFrozen, x);
        int cIn = 64;
        String[] stageOut = new String[4];
        for (int s = 0; s < 4; s++) {
            int planes = 64 << s;
            boolean frozen = isFrozen(s + 1);
            for (int b = 0; b < depth.blocks(s); b++) {
                int stride = (s > 0 && b == 0) ? 2 : 1;
                String prefix = "layer" + (s + 1) + "_" + b;
                x = depth.bottleneck()
                        ? bottleneck(g, prefix, x, cIn, planes, stride, frozen)
                        : basicBlock(g, prefix, x, cIn, planes, stride, frozen);
                cIn = planes * depth.expansion();
            }
            stageOut[s] = x;
        }
        return new BackboneFeatures(stageOut[1], stageOut[2], stageOut[3],
                depth.stageChannels(1), depth.stageChannels(2), depth.stageChannels(3));
    }

    /** Stage 0 = stem, 1..4 = layer1..layer4; frozen when it is not among the last {@code trainableLayers}. */
    public boolean isFrozen(int stage) {
        return stage < 5 - trainableLayers;
    }

    private String basicBlock(GraphBuilder g, String p, String in, int cIn, int planes, int stride, boolean frozen) {
        String x = convBn(g, p + "_conv1", p + "_bn1", in, cIn, planes, 3, stride, 1, frozen);
        x = relu(g, p + "_relu1", x, frozen);
        x = convBn(g, p + "_conv2", p + "_bn2", x, planes, planes, 3, 1, 1, frozen);
        return residual(g, p, in, x, cIn, planes, stride, frozen);
    }

    private String bottleneck(GraphBuilder g, String p, String in, int cIn, int planes, int stride, boolean frozen) {
        String x = convBn(g, p + "_conv1", p + "_bn1", in, cIn, planes, 1, 1, 0, frozen);
        x = relu(g, p + "_relu1", x, frozen);
        x = convBn(g, p + "_conv2", p + "_bn2", x, planes, planes, 3, stride, 1, frozen);
        x = relu(g, p + "_relu2", x, frozen);
        x = convBn(g, p + "_conv3", p + "_bn3", x, planes, planes * 4, 1, 1, 0, frozen);
        return residual(g, p, in, x, cIn, planes * depth.expansion(), stride, frozen);
    }

    private String residual(GraphBuilder g, String p, String in, String main, int cIn, int cOut, int stride,
                            boolean frozen) {
        String shortcut = in;
        if (stride != 1 || cIn != cOut) {
            shortcut = convBn(g, p + "_downsample_0", p + "_downsample_1", in, cIn, cOut, 1, stride, 0, frozen);
        }
        g.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), main, shortcut);
        return relu(g, p + "_relu" + (depth.bottleneck() ? 3 : 2), p + "_add", frozen);
    }

    private String relu(GraphBuilder g, String name, String in, boolean frozen) {
        return add(g, name, new ActivationLayer.Builder().activation(Activation.RELU).build(), frozen, in);
    }

    /** Convolution followed by BN (trainable mode) or with the BN folded in (frozen mode). */
    private String convBn(GraphBuilder g, String convName, String bnName, String in, int cIn, int cOut, int k,
                          int stride, int pad, boolean frozen) {
        boolean folded = bnMode == BatchNormMode.FROZEN;
        ConvolutionLayer conv = new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(cIn).nOut(cOut).hasBias(folded)
                .activation(Activation.IDENTITY).weightInit(TorchInit.kaimingNormalFanOut(cOut, k)).biasInit(0)
                .build();
        String x = add(g, convName, conv, frozen, in);
        if (folded) {
            return x;
        }
        BatchNormalization bn = new BatchNormalization.Builder().nIn(cOut).nOut(cOut).eps(BN_EPS).decay(BN_DECAY)
                .gamma(1.0).beta(0.0).build();
        return add(g, bnName, bn, frozen, x);
    }

    private static String add(GraphBuilder g, String name, Layer layer, boolean frozen, String in) {
        Layer wrapped = layer;
        if (frozen) {
            // Only the stem's layers are named without a "layer" prefix; they form a chain from the input.
            wrapped = name.startsWith("layer") ? new FrozenLayerWithBackprop(layer) : new FrozenLayer(layer);
        }
        g.addLayer(name, wrapped, in);
        return name;
    }

    public ResNetDepth depth() {
        return depth;
    }

    public BatchNormMode bnMode() {
        return bnMode;
    }
}
