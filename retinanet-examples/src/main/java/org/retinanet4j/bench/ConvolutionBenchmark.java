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
 * The 3x3 and 7x7 convolutions of a configuration ({@code DirectConvolution}, training forward and backward in
 * float, no bias, identity activation as before a batch normalisation), one line per shape: {@code demo} (default)
 * the demo's ResNet-18 at 128x128, batch 8, to set beside torchvision's operators at the same shapes ({@code
 * /usr/bin/python3 tools/profile_torch_demo.py}: {@code mkldnn_convolution} and {@code convolution_backward});
 * {@code resnet50} ResNet-50-FPN's at 512x512, batch 2 (one layer per stage, the FPN output and head convolutions on
 * P3, the classification predictor). Arrays are allocated per call (no workspaces), as in DL4J's own layer tests,
 * which adds a little to each figure.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.ConvolutionBenchmark ./retinanet [runs=20] [demo|resnet50]</pre>
 * {@code RETINANET_JAVA_OPTS=-Dretinanet.bench.alternate='retinanet.onednn=false;retinanet.onednn=true'} runs every
 * pass under both sets of properties in turn and prints a line per set ({@link AlternatingSettings}).
 */
public final class ConvolutionBenchmark {
    // batch, input channels, input size, output channels, kernel, stride, stem (no input gradient)
    private static final int[][] DEMO = {{8, 3, 128, 64, 7, 2, 1}, {8, 64, 32, 64, 3, 1, 0}, {8, 64, 32, 128, 3, 2, 0},
            {8, 128, 16, 128, 3, 1, 0}, {8, 128, 16, 256, 3, 2, 0}, {8, 256, 8, 256, 3, 1, 0},
            {8, 256, 8, 512, 3, 2, 0}, {8, 512, 4, 512, 3, 1, 0}};
    private static final int[][] RESNET50 = {{2, 3, 512, 64, 7, 2, 1}, {2, 64, 128, 64, 3, 1, 0},
            {2, 128, 64, 128, 3, 1, 0}, {2, 256, 32, 256, 3, 1, 0}, {2, 512, 16, 512, 3, 1, 0},
            {2, 256, 64, 256, 3, 1, 0}, {2, 256, 64, 819, 3, 1, 0}};

    private ConvolutionBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int[][] layers = args.length > 1 && args[1].equals("resnet50") ? RESNET50 : DEMO;
        AlternatingSettings alternating = AlternatingSettings.fromSystemProperty(1);
        int sets = alternating == null ? 1 : 2;
        for (int[] c : layers) {
            ConvolutionLayer conf = new ConvolutionLayer.Builder(c[4], c[4]).stride(c[5], c[5]).padding(c[4] / 2, c[4] / 2)
                    .convolutionMode(ConvolutionMode.Truncate).nIn(c[1]).nOut(c[3]).hasBias(false)
                    .activation(Activation.IDENTITY).build();
            ConvolutionLayer direct = c[6] == 1 ? DirectConvolution.first(conf) : DirectConvolution.of(conf);
            Layer layer = BenchLayers.trainable(direct, n -> Nd4j.randn(DataType.FLOAT, 1, n).muli(0.05));
            LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
            INDArray x = Nd4j.randn(DataType.FLOAT, c[0], c[1], c[2], c[2]);
            long[][] forward = new long[sets][runs];
            long[][] backward = new long[sets][runs];
            for (int i = -5; i < runs; i++) { // five warm-up passes
                for (int set = 0; set < sets; set++) {
                    if (alternating != null) {
                        alternating.apply(set);
                    }
                    layer.setInput(x, ws);
                    long t0 = System.nanoTime();
                    INDArray y = layer.activate(true, ws);
                    long t1 = System.nanoTime();
                    INDArray epsilon = y.dup();
                    long t2 = System.nanoTime();
                    layer.backpropGradient(epsilon, ws);
                    if (i >= 0) {
                        forward[set][i] = t1 - t0;
                        backward[set][i] = System.nanoTime() - t2;
                    }
                }
            }
            String name = String.format(Locale.ROOT, "[%d, %d, %d, %d] %dx%d stride %d -> %d%s", c[0], c[1], c[2], c[2],
                    c[4], c[4], c[5], c[3], c[6] == 1 ? " (stem: weight gradient only)" : "");
            for (int set = 0; set < sets; set++) {
                String under = alternating == null ? "" : " (set " + alternating.name(set) + ")";
                System.out.printf("%s forward%s: %s%n%s backward%s: %s%n", name, under, BenchTimes.describe(forward[set]),
                        name, under, BenchTimes.describe(backward[set]));
            }
        }
    }
}
