package org.retinanet4j.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.layers.DirectBatchNormalization;

import java.util.Arrays;

/**
 * The backbone's batch normalisation with its fused ReLU ({@code DirectBatchNormalization.withRelu}), training
 * forward and backward in float, on the shapes of ResNet-50 at 512x512 (batch 2) and of the demo's ResNet-18 at
 * 128x128 (batch 8). Arrays are allocated per call here (no workspaces), as in DL4J's own layer tests.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.BatchNormBenchmark ./retinanet [runs=8]</pre>
 */
public final class BatchNormBenchmark {
    private BatchNormBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int[][] shapes = {{2, 256, 128, 128}, {2, 64, 256, 256}, {2, 1024, 32, 32}, {8, 64, 32, 32}, {8, 512, 4, 4}};
        for (int[] s : shapes) {
            BatchNormalization conf = new BatchNormalization.Builder().nIn(s[1]).nOut(s[1]).eps(1e-5).decay(0.9).build();
            org.deeplearning4j.nn.conf.layers.Layer direct = DirectBatchNormalization.withRelu(conf);
            Layer layer = BenchLayers.trainable(direct, n -> Nd4j.ones(DataType.FLOAT, 1, n));
            INDArray x = Nd4j.randn(DataType.FLOAT, s[0], s[1], s[2], s[3]);
            INDArray epsilon = Nd4j.randn(DataType.FLOAT, s[0], s[1], s[2], s[3]);
            LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
            long[] forward = new long[runs];
            long[] backward = new long[runs];
            for (int i = -3; i < runs; i++) { // three warm-up passes
                long t0 = System.nanoTime();
                layer.setInput(x, ws);
                layer.activate(true, ws);
                long t1 = System.nanoTime();
                layer.backpropGradient(epsilon, ws);
                if (i >= 0) {
                    forward[i] = t1 - t0;
                    backward[i] = System.nanoTime() - t1;
                }
            }
            System.out.printf("%s forward: %s%n%s backward: %s%n", Arrays.toString(s), BenchTimes.describe(forward),
                    Arrays.toString(s), BenchTimes.describe(backward));
        }
    }
}
