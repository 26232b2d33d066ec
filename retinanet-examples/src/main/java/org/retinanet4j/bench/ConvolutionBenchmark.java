package org.retinanet4j.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.layers.DirectConvolution;

import java.util.Locale;

/**
 * The backbone's 3x3 and 7x7 convolutions of the demo's ResNet-18 at 128x128, batch 8 ({@code DirectConvolution},
 * training forward and backward in float, no bias, identity activation as before a batch normalisation), one line per
 * shape, to set beside torchvision's operators at the same shapes ({@code /usr/bin/python3
 * tools/profile_torch_demo.py}: {@code mkldnn_convolution} and {@code convolution_backward}). Arrays are allocated
 * per call (no workspaces), as in DL4J's own layer tests, which adds a little to each figure.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.ConvolutionBenchmark ./retinanet [runs=20]</pre>
 */
public final class ConvolutionBenchmark {
    private ConvolutionBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        // batch, input channels, input size, output channels, kernel, stride, stem (no input gradient)
        int[][] layers = {{8, 3, 128, 64, 7, 2, 1}, {8, 64, 32, 64, 3, 1, 0}, {8, 64, 32, 128, 3, 2, 0},
                {8, 128, 16, 128, 3, 1, 0}, {8, 128, 16, 256, 3, 2, 0}, {8, 256, 8, 256, 3, 1, 0},
                {8, 256, 8, 512, 3, 2, 0}, {8, 512, 4, 512, 3, 1, 0}};
        for (int[] c : layers) {
            ConvolutionLayer conf = new ConvolutionLayer.Builder(c[4], c[4]).stride(c[5], c[5]).padding(c[4] / 2, c[4] / 2)
                    .convolutionMode(ConvolutionMode.Truncate).nIn(c[1]).nOut(c[3]).hasBias(false)
                    .activation(Activation.IDENTITY).build();
            ConvolutionLayer direct = c[6] == 1 ? DirectConvolution.first(conf) : DirectConvolution.of(conf);
            Layer layer = BenchLayers.trainable(direct, n -> Nd4j.randn(DataType.FLOAT, 1, n).muli(0.05));
            LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
            INDArray x = Nd4j.randn(DataType.FLOAT, c[0], c[1], c[2], c[2]);
            long[] forward = new long[runs];
            long[] backward = new long[runs];
            for (int i = -5; i < runs; i++) { // five warm-up passes
                layer.setInput(x, ws);
                long t0 = System.nanoTime();
                INDArray y = layer.activate(true, ws);
                long t1 = System.nanoTime();
                INDArray epsilon = y.dup();
                long t2 = System.nanoTime();
                layer.backpropGradient(epsilon, ws);
                if (i >= 0) {
                    forward[i] = t1 - t0;
                    backward[i] = System.nanoTime() - t2;
                }
            }
            String name = String.format(Locale.ROOT, "[%d, %d, %d, %d] %dx%d stride %d -> %d%s", c[0], c[1], c[2], c[2],
                    c[4], c[4], c[5], c[3], c[6] == 1 ? " (stem: weight gradient only)" : "");
            System.out.printf("%s forward: %s%n%s backward: %s%n", name, BenchTimes.describe(forward), name,
                    BenchTimes.describe(backward));
        }
    }
}
