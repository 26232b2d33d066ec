package org.retinanet4j.layers;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

/**
 * Where the graph builders choose between the direct layers and DL4J's own (the reference):
 * {@code -Dretinanet.dl4jLayers=true} builds DL4J's {@code ConvolutionLayer}, {@code BatchNormalization} and
 * {@code SubsamplingLayer};
 * read when a network configuration is built. Both have the same parameters, so a saved model or imported
 * weights fit either.
 */
public final class DirectLayers {
    public static final String DL4J_LAYERS_PROPERTY = "retinanet.dl4jLayers";

    private DirectLayers() {
    }

    public static boolean enabled() {
        return !Boolean.getBoolean(DL4J_LAYERS_PROPERTY);
    }

    public static ConvolutionLayer convolution(ConvolutionLayer built) {
        return enabled() ? DirectConvolution.of(built) : built;
    }

    /** A convolution fed by the network input: the direct layer computes no input gradient. */
    public static ConvolutionLayer firstConvolution(ConvolutionLayer built) {
        return enabled() ? DirectConvolution.first(built) : built;
    }

    public static BatchNormalization batchNorm(BatchNormalization built) {
        return enabled() ? DirectBatchNormalization.of(built) : built;
    }

    public static SubsamplingLayer maxPooling(SubsamplingLayer built) {
        return enabled() ? DirectMaxPooling.of(built) : built;
    }
}
