package org.retinanet4j.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.retinanet4j.layers.DirectMaxPooling;

import java.util.Arrays;
import java.util.Collections;

/**
 * ResNet's stem max pooling (3x3, stride 2, padding 1) in training, forward and backward, on ReLU outputs: DL4J's
 * {@code SubsamplingLayer} (with its oneDNN helper, as the launcher runs it) against {@code DirectMaxPooling}, on
 * the stem's output for ResNet-50 at 512x512 (batch 2) and for the demo (128x128, batch 8).
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.MaxPoolingBenchmark ./retinanet [runs=8]</pre>
 */
public final class MaxPoolingBenchmark {
    private MaxPoolingBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        SubsamplingLayer dl4j = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(3, 3)
                .stride(2, 2).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build();
        for (int[] s : new int[][]{{2, 64, 256, 256}, {8, 64, 64, 64}}) {
            INDArray x = Transforms.relu(Nd4j.randn(DataType.FLOAT, s[0], s[1], s[2], s[3]), false);
            for (org.deeplearning4j.nn.conf.layers.Layer conf : new org.deeplearning4j.nn.conf.layers.Layer[]{
                    dl4j, DirectMaxPooling.of(dl4j)}) {
                NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).layer(conf)
                        .build();
                Layer layer = conf.instantiate(nnc, Collections.emptyList(), 0, null, true, DataType.FLOAT);
                LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
                long[] forward = new long[runs];
                long[] backward = new long[runs];
                INDArray epsilon = null;
                for (int i = -3; i < runs; i++) { // three warm-up passes
                    long t0 = System.nanoTime();
                    layer.setInput(x, ws);
                    INDArray out = layer.activate(true, ws);
                    long t1 = System.nanoTime();
                    if (epsilon == null) {
                        epsilon = Nd4j.randn(DataType.FLOAT, out.shape());
                    }
                    long t2 = System.nanoTime();
                    layer.backpropGradient(epsilon, ws);
                    if (i >= 0) {
                        forward[i] = t1 - t0;
                        backward[i] = System.nanoTime() - t2;
                    }
                }
                String name = conf.getClass().getSimpleName() + " " + Arrays.toString(s);
                System.out.printf("%s forward: %s%n%s backward: %s%n", name, BenchTimes.describe(forward), name,
                        BenchTimes.describe(backward));
            }
        }
    }
}
