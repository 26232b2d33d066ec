package org.retinanet4j.backbone;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.nd4j.linalg.activations.Activation;
import org.retinanet4j.layers.DirectBatchNormalization;
import org.retinanet4j.layers.DirectLayers;
import org.retinanet4j.layers.ResidualReluVertex;

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
 * [stem, layer1, layer2, layer3, layer4] train. The frozen stages are always a prefix of the network, so, as in
 * torch's autograd, nothing in them needs a backward pass: their layers are wrapped in DL4J {@code FrozenLayer}
 * and their residual additions in {@code FrozenVertex}, and DL4J's backward pass skips every frozen vertex (no
 * weight gradients, no errors sent upstream). Frozen layers run in inference mode, so freezing a residual stage
 * requires {@link BatchNormMode#FROZEN} (the BN folded into the convolutions, torchvision's FrozenBatchNorm2d);
 * the constructor rejects the other case.
 *
 * <p>With the direct layers ({@link DirectLayers}) the ReLU after a BN is computed inside that BN (or inside the
 * convolution when the BN is folded), and the residual addition and its ReLU are one vertex
 * ({@link ResidualReluVertex}, named {@code layerS_B_relu3} / {@code relu2} like the ReLU whose output it is), so the
 * graph has no {@code relu}, {@code layerS_B_relu1}, bottleneck {@code relu2} or {@code layerS_B_add} vertices; the
 * parameters are the same either way.
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
                    + "stages, which needs batchNormMode FROZEN: a frozen DL4J BatchNormalization layer runs in "
                    + "inference mode (use trainableBackboneLayers 4 or 5 with trainable BN)");
        }
        this.depth = depth;
        this.bnMode = bnMode;
        this.trainableLayers = trainableLayers;
    }

    /** Adds the backbone after {@code input} (3 channels) and returns the C3..C5 vertex names. */
    public BackboneFeatures addTo(GraphBuilder g, String input) {
        boolean stemFrozen = isFrozen(0);
        String x = convBnRelu(g, "conv1", "bn1", "relu", input, 3, 64, 7, 2, 3, stemFrozen);
        x = add(g, "maxpool", DirectLayers.maxPooling(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(3, 3).stride(2, 2).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build()),
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
        String x = convBnRelu(g, p + "_conv1", p + "_bn1", p + "_relu1", in, cIn, planes, 3, stride, 1, frozen);
        x = convBn(g, p + "_conv2", p + "_bn2", x, planes, planes, 3, 1, 1, frozen);
        return residual(g, p, in, x, cIn, planes, stride, frozen);
    }

    private String bottleneck(GraphBuilder g, String p, String in, int cIn, int planes, int stride, boolean frozen) {
        String x = convBnRelu(g, p + "_conv1", p + "_bn1", p + "_relu1", in, cIn, planes, 1, 1, 0, frozen);
        x = convBnRelu(g, p + "_conv2", p + "_bn2", p + "_relu2", x, planes, planes, 3, stride, 1, frozen);
        x = convBn(g, p + "_conv3", p + "_bn3", x, planes, planes * 4, 1, 1, 0, frozen);
        return residual(g, p, in, x, cIn, planes * depth.expansion(), stride, frozen);
    }

    private String residual(GraphBuilder g, String p, String in, String main, int cIn, int cOut, int stride,
                            boolean frozen) {
        String shortcut = in;
        if (stride != 1 || cIn != cOut) {
            shortcut = convBn(g, p + "_downsample_0", p + "_downsample_1", in, cIn, cOut, 1, stride, 0, frozen);
        }
        String out = p + "_relu" + (depth.bottleneck() ? 3 : 2);
        // a frozen stage is skipped whole by the backward pass, its additions included (see add below)
        if (DirectLayers.enabled()) {
            // addition and ReLU in one vertex, named as the ReLU whose output it is (C3..C5 keep their names)
            g.addVertex(out, frozen ? new FrozenVertex(new ResidualReluVertex()) : new ResidualReluVertex(), main,
                    shortcut);
            return out;
        }
        GraphVertex add = new ElementWiseVertex(ElementWiseVertex.Op.Add);
        g.addVertex(p + "_add", frozen ? new FrozenVertex(add) : add, main, shortcut);
        return relu(g, out, p + "_add", frozen);
    }

    private String relu(GraphBuilder g, String name, String in, boolean frozen) {
        return add(g, name, new ActivationLayer.Builder().activation(Activation.RELU).build(), frozen, in);
    }

    /** Convolution followed by BN (trainable mode) or with the BN folded in (frozen mode). */
    private String convBn(GraphBuilder g, String convName, String bnName, String in, int cIn, int cOut, int k,
                          int stride, int pad, boolean frozen) {
        return convBnRelu(g, convName, bnName, null, in, cIn, cOut, k, stride, pad, frozen);
    }

    /**
     * Convolution, BN and, when {@code reluName} is not null, a ReLU. The direct layers compute the ReLU inside the
     * last layer (BN, or the convolution when the BN is folded) and the graph has no {@code reluName} vertex;
     * DL4J's layers get a separate activation layer of that name.
     */
    private String convBnRelu(GraphBuilder g, String convName, String bnName, String reluName, String in, int cIn,
                              int cOut, int k, int stride, int pad, boolean frozen) {
        boolean folded = bnMode == BatchNormMode.FROZEN;
        boolean fuseRelu = reluName != null && DirectLayers.enabled();
        ConvolutionLayer conv = new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(cIn).nOut(cOut).hasBias(folded)
                .activation(folded && fuseRelu ? Activation.RELU : Activation.IDENTITY)
                .weightInit(TorchInit.kaimingNormalFanOut(cOut, k)).biasInit(0).build();
        boolean first = cIn == 3; // the stem convolution reads the image: no gradient for it
        String x = add(g, convName, first ? DirectLayers.firstConvolution(conv) : DirectLayers.convolution(conv),
                frozen, in);
        if (!folded) {
            BatchNormalization bn = new BatchNormalization.Builder().nIn(cOut).nOut(cOut).eps(BN_EPS)
                    .decay(BN_DECAY).gamma(1.0).beta(0.0).build();
            x = add(g, bnName, fuseRelu ? DirectBatchNormalization.withRelu(bn) : DirectLayers.batchNorm(bn), frozen, x);
        }
        return reluName == null || fuseRelu ? x : relu(g, reluName, x, frozen);
    }

    private static String add(GraphBuilder g, String name, Layer layer, boolean frozen, String in) {
        g.addLayer(name, frozen ? new FrozenLayer(layer) : layer, in);
        return name;
    }

    public ResNetDepth depth() {
        return depth;
    }

    public BatchNormMode bnMode() {
        return bnMode;
    }
}
