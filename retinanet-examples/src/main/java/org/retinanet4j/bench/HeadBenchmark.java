package org.retinanet4j.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.sun.management.OperatingSystemMXBean;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.retinanet4j.head.SharedConvHeadVertex;

/**
 * Times the shared classification head alone (5 pyramid levels, 9 anchors): forward at batch 1 and forward +
 * backward ({@code computeGradientAndScore}, MSE on the output, no updater) at batch 2.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.HeadBenchmark ./retinanet [small|resnet50] [size] [runs]</pre>
 * {@code small}: {@code RetinaNet.small}'s head (32 channels, one convolution before the predictor, 20 classes),
 * default 256x256 input; {@code resnet50}: torchvision's (256 channels, four convolutions, 91 classes), default
 * 512x512. Level sizes are those of the input (P3 = size / 8 ... P7 = size / 128). Each line gives wall-clock times
 * and the process CPU time of the same runs; with {@code OMP_NUM_THREADS=1} the CPU time is the work done, which
 * a machine busy with other jobs distorts far less than the wall clock. The same command timed the SameDiff
 * reference head while it was still a main-code option ({@code -Dretinanet.head.sameDiffGraph=true}, before it
 * moved to the tests); docs/benchmarks.md, "Shared head", has both.
 */
public final class HeadBenchmark {
    private HeadBenchmark() {
    }

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "small";
        boolean small = which.equals("small");
        int size = args.length > 1 ? Integer.parseInt(args[1]) : small ? 256 : 512;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int width = small ? 32 : 256;
        int depth = small ? 1 : 4;
        int classes = small ? 20 : 91;
        ComputationGraph net = headGraph(SharedConvHeadVertex.classification(5, width, width, depth, 9, classes, 0.01),
                width, size);
        System.out.printf("%s head, %dx%d input, %d channels, depth %d, %d classes, runtime vertex %s%n", which, size,
                size, width, depth, classes, net.getVertex("head").getClass().getSimpleName());

        INDArray[] one = levels(1, width, size);
        long[][] forward = time(runs, () -> net.output(one));
        System.out.println("forward batch 1: " + BenchTimes.describe(forward[0]) + "; process CPU " + mean(forward[1]));

        INDArray[] two = levels(2, width, size);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 2, net.outputSingle(two).size(1));
        long[][] train = time(runs, () -> {
            net.setInputs(two);
            net.setLabels(labels);
            net.computeGradientAndScore();
        });
        System.out.println("forward + backward batch 2: " + BenchTimes.describe(train[0]) + "; process CPU "
                + mean(train[1]) + "; score " + net.score());
    }

    static ComputationGraph headGraph(GraphVertex head, int channels, int size) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).updater(new NoOp()).seed(3).graphBuilder();
        String[] names = new String[5];
        InputType[] types = new InputType[5];
        for (int l = 0; l < 5; l++) {
            names[l] = "p" + (l + 3);
            int s = levelSize(size, l);
            types[l] = InputType.convolutional(s, s, channels);
        }
        ComputationGraphConfiguration conf = g.addInputs(names).setInputTypes(types)
                .addVertex("head", head, names)
                .addLayer("out", new LossLayer.Builder().lossFunction(new LossMSE()).activation(Activation.IDENTITY)
                        .build(), "head")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** ceil(size / 2^(l + 3)), as the backbone's stride-2 layers round. */
    private static int levelSize(int size, int level) {
        int s = size;
        for (int i = 0; i < level + 3; i++) {
            s = (s + 1) / 2;
        }
        return s;
    }

    private static INDArray[] levels(int batch, int channels, int size) {
        Nd4j.getRandom().setSeed(11);
        List<INDArray> out = new ArrayList<>();
        for (int l = 0; l < 5; l++) {
            int s = levelSize(size, l);
            out.add(Nd4j.randn(DataType.FLOAT, batch, channels, s, s));
        }
        return out.toArray(new INDArray[0]);
    }

    /** Mean of the runs: the OS counts CPU time in 10 ms ticks, so single runs of the small head read 0 or 10 ms. */
    private static String mean(long[] nanos) {
        return String.format(java.util.Locale.ROOT, "mean %.1f ms per run", Arrays.stream(nanos).sum() / 1e6 / nanos.length);
    }

    /** Wall-clock and process CPU nanoseconds of each run (CPU time is what a busy machine distorts least). */
    private static long[][] time(int runs, Runnable r) {
        r.run(); // warm-up: the JIT, oneDNN primitives (and SameDiff sessions on a SameDiff vertex)
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[][] t = new long[2][runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            long c = os.getProcessCpuTime();
            r.run();
            t[0][i] = System.nanoTime() - s;
            t[1][i] = os.getProcessCpuTime() - c;
        }
        return t;
    }
}
