package org.retinanet4j.head;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * Inputs "a" and "b" (two pyramid levels) -> a 3x3 tanh convolution each ("conv_a", "conv_b") -> a shared head
 * ("head": 2 levels, width 4, depth 2, 2 anchors x 3 values) -> MSE. The upstream convolutions' gradients carry
 * the head's input gradients.
 */
final class HeadTestGraph {
    private HeadTestGraph() {
    }

    static ComputationGraph build(DataType type, int inputChannels, int headChannels) {
        return build(type, inputChannels, headChannels, false);
    }

    /** With {@code sameDiff}, the head is {@link SameDiffHeadVertex}, the SameDiff reference of the same head. */
    static ComputationGraph build(DataType type, int inputChannels, int headChannels, boolean sameDiff) {
        SharedConvHeadVertex head = new SharedConvHeadVertex(2, headChannels, 4, 2, 2, 3, "clsLogits", -1.0);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(type).updater(new NoOp()).seed(7)
                .graphBuilder()
                .addInputs("a", "b")
                .addLayer("conv_a", conv(inputChannels, headChannels), "a")
                .addLayer("conv_b", conv(inputChannels, headChannels), "b")
                .addVertex("head", sameDiff ? new SameDiffHeadVertex(head) : head, "conv_a", "conv_b")
                .addLayer("out", new LossLayer.Builder().lossFunction(new LossMSE())
                        .activation(Activation.IDENTITY).build(), "head")
                .setOutputs("out")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    private static ConvolutionLayer conv(int in, int out) {
        return new ConvolutionLayer.Builder(3, 3).padding(1, 1).convolutionMode(ConvolutionMode.Truncate)
                .nIn(in).nOut(out).activation(Activation.TANH).build();
    }
}
