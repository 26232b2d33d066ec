package org.retinanet4j.fpn;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.nd4j.linalg.activations.Activation;
import org.retinanet4j.backbone.BackboneFeatures;
import org.retinanet4j.backbone.TorchInit;
import org.retinanet4j.layers.DirectLayers;

import java.util.List;

/**
 * torchvision's {@code FeaturePyramidNetwork} with {@code LastLevelP6P7}: P3..P7 from C3..C5.
 *
 * <p>Lateral 1x1 convs ({@code fpn_inner_blocks_i}, i = 0 for C3 .. 2 for C5), top-down nearest-neighbour 2x
 * upsampling ({@code fpn_upsample_i}) added to the lateral ({@code fpn_merge_i}), 3x3 output convs pad 1
 * ({@code fpn_layer_blocks_i}); {@code fpn_extra_blocks_p6} = conv3x3/2 pad 1 on P5 (or C5), {@code
 * fpn_extra_blocks_p7} = conv3x3/2 pad 1 on ReLU(P6) ({@code fpn_extra_blocks_p7_relu}). All convs have biases,
 * init kaiming_uniform(a=1), bias 0. torchvision keys: {@code backbone.fpn.inner_blocks.i.0.weight|bias},
 * {@code backbone.fpn.layer_blocks.i.0.weight|bias}, {@code backbone.fpn.extra_blocks.p6|p7.weight|bias}.
 *
 * <p>The levels are exposed as identity vertices {@code P3}..{@code P7}, readable with {@code feedForward}.
 * Upsampling by exactly 2 equals torchvision's {@code interpolate(size=lateral)} when the lateral is twice the
 * coarser level, which holds for inputs that are multiples of 32 (the zoo model requires multiples of 128).
 */
public final class FeaturePyramid {
    public static final List<String> LEVELS = List.of("P3", "P4", "P5", "P6", "P7");

    private final int width;
    private final P6Source p6Source;

    public FeaturePyramid(int width, P6Source p6Source) {
        this.width = width;
        this.p6Source = p6Source;
    }

    /** Adds the pyramid and returns the vertex names P3..P7. */
    public List<String> addTo(GraphBuilder g, BackboneFeatures c) {
        String[] cs = {c.c3(), c.c4(), c.c5()};
        int[] ch = {c.c3Channels(), c.c4Channels(), c.c5Channels()};
        String[] inner = new String[3];
        for (int i = 0; i < 3; i++) {
            inner[i] = "fpn_inner_blocks_" + i;
            g.addLayer(inner[i], conv(ch[i], 1, 1), cs[i]);
        }
        String[] merged = new String[3];
        merged[2] = inner[2];
        for (int i = 1; i >= 0; i--) {
            String up = "fpn_upsample_" + i;
            g.addLayer(up, new Upsampling2D.Builder(2).build(), merged[i + 1]);
            merged[i] = "fpn_merge_" + i;
            g.addVertex(merged[i], new ElementWiseVertex(ElementWiseVertex.Op.Add), inner[i], up);
        }
        for (int i = 0; i < 3; i++) {
            g.addLayer("fpn_layer_blocks_" + i, conv(width, 3, 1), merged[i]);
            g.addVertex(LEVELS.get(i), new ScaleVertex(1.0), "fpn_layer_blocks_" + i);
        }
        boolean fromP5 = p6Source == P6Source.P5;
        g.addLayer("fpn_extra_blocks_p6", conv(fromP5 ? width : c.c5Channels(), 3, 2),
                fromP5 ? "fpn_layer_blocks_2" : c.c5());
        g.addVertex("P6", new ScaleVertex(1.0), "fpn_extra_blocks_p6");
        g.addLayer("fpn_extra_blocks_p7_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(),
                "fpn_extra_blocks_p6");
        g.addLayer("fpn_extra_blocks_p7", conv(width, 3, 2), "fpn_extra_blocks_p7_relu");
        g.addVertex("P7", new ScaleVertex(1.0), "fpn_extra_blocks_p7");
        return LEVELS;
    }

    private ConvolutionLayer conv(int cIn, int k, int stride) {
        int pad = k / 2;
        return DirectLayers.convolution(new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(cIn).nOut(width).hasBias(true)
                .activation(Activation.IDENTITY).weightInit(TorchInit.kaimingUniformA1(cIn, k)).biasInit(0).build());
    }
}
