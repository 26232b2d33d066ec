package org.retinanet4j.bench;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.runtime.OneDnnHelpers;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.targets.TargetBuilder;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.updater.FusedGraphUpdater;
import org.retinanet4j.zoo.RetinaNet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Forward latency (batch 1), one training iteration from scratch (batch 2) and one fine-tuning iteration (batch 2)
 * of the RetinaNet graph.
 *
 * <pre>
 *   RETINANET_MAIN=org.retinanet4j.bench.RetinaNetBenchmark ./retinanet [resnet50|small] [size=512] [runs=5] [forms]
 * </pre>
 * {@code resnet50}: torchvision's retinanet_resnet50_fpn layout, 91 classes; {@code small}:
 * {@link RetinaNet#small(int)} with 20 classes. {@code forms}: a comma list of {@code forward}, {@code train}
 * (trainable BatchNorm, every stage trains: torchvision without weights) and {@code finetune} (frozen BatchNorm
 * folded into the convolutions, stem and layer1 frozen: torchvision's {@code trainable_backbone_layers=3} with
 * pretrained weights); default all three. Each step is {@code net.fit} with SGD, momentum 0.9 (DL4J's Nesterovs),
 * as the torchvision side steps, after {@value #WARM_UP_STEPS} untimed steps on both sides. Compare with
 * tools/bench_torch_retinanet.py.
 * {@code RETINANET_JAVA_OPTS=-Dcache=DEVICE} builds the graphs with DL4J's {@code CacheMode.DEVICE} (default NONE).
 * {@code -Dretinanet.bench.alternate='retinanet.onednn=false;retinanet.onednn=true'} switches between two sets of
 * system properties every run and prints each set's median ({@link AlternatingSettings}).
 */
public final class RetinaNetBenchmark {
    private RetinaNetBenchmark() {
    }

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "resnet50";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Set<String> forms = Set.of((args.length > 3 ? args[3] : "forward,train,finetune").split(","));

        RetinaNet model = builder(which, size).build();
        ComputationGraph net = withStepOptimizer(model.init());
        System.out.printf("%s %dx%d, %d parameters, oneDNN helpers %s, threads %s%n", which, size, size,
                net.params().length(), OneDnnHelpers.active() ? "on" : "off",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
        if (forms.contains("forward")) {
            INDArray one = Nd4j.randn(DataType.FLOAT, 1, 3, size, size);
            long[] forward = time(runs, () -> net.output(one));
            System.out.println("forward batch 1: " + BenchTimes.describe(forward));
        }
        MultiDataSet batch = trainingBatch(model, size);
        if (forms.contains("train")) {
            long[] train = time(runs, () -> net.fit(batch));
            System.out.println("training iteration batch 2: " + BenchTimes.describe(train) + ", last loss "
                    + net.score());
        }
        if (forms.contains("finetune")) {
            ComputationGraph tuned = withStepOptimizer(builder(which, size).batchNormMode(BatchNormMode.FROZEN)
                    .trainableBackboneLayers(3).build().init());
            long[] step = time(runs, () -> tuned.fit(batch));
            System.out.println("fine-tuning step: " + BenchTimes.describe(step) + ", last loss " + tuned.score());
        }
    }

    private static RetinaNet.Builder builder(String which, int size) {
        RetinaNet.Builder builder = which.equals("small") ? RetinaNet.smallBuilder(20) : RetinaNet.builder().numClasses(91);
        return builder.inputShape(3, size, size).cacheMode(CacheMode.valueOf(System.getProperty("cache", "NONE")));
    }

    /**
     * SGD with momentum 0.9, lr 1e-4, no schedule, decay or clipping, as tools/bench_torch_retinanet.py steps
     * torchvision: the figure is the network's step, not a recipe's. The optimiser step is the one the
     * {@code Trainer} installs ({@link FusedGraphUpdater}; {@code -Dretinanet.fusedUpdater=false}: DL4J's).
     */
    private static ComputationGraph withStepOptimizer(ComputationGraph net) {
        OptimizationRecipe.apply(net, TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(1e-4)
                .momentum(0.9).warmup(0, 1).weightDecay(0).gradientClipL2(0).build());
        FusedGraphUpdater.install(net);
        return net;
    }

    /**
     * Untimed steps before the timed ones, the same number as tools/bench_torch_retinanet.py takes: the first builds
     * SameDiff graphs and oneDNN primitives, and DL4J grows its workspaces over the first few, zeroing each one it
     * enlarges (a cost a training run pays once: docs/benchmarks.md, "steady-state steps").
     */
    static final int WARM_UP_STEPS = 3;

    private static long[] time(int runs, Runnable r) {
        for (int i = 0; i < WARM_UP_STEPS; i++) {
            r.run();
        }
        AlternatingSettings alternating = AlternatingSettings.fromSystemProperty(1);
        long[] t = new long[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            r.run();
            t[i] = System.nanoTime() - s;
            if (alternating != null) {
                alternating.stepTimed(t[i] / 1e6);
            }
        }
        if (alternating != null) {
            System.out.print(alternating.report());
        }
        return t;
    }

    private static MultiDataSet trainingBatch(RetinaNet model, int size) {
        int classes = model.spec().numClasses();
        Random rnd = new Random(1);
        List<GroundTruth> truths = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            float[] boxes = new float[5 * 4];
            int[] labels = new int[5];
            for (int b = 0; b < 5; b++) {
                float x = rnd.nextInt(size / 2);
                float y = rnd.nextInt(size / 2);
                boxes[b * 4] = x;
                boxes[b * 4 + 1] = y;
                boxes[b * 4 + 2] = x + 32 + rnd.nextInt(size / 2 - 32);
                boxes[b * 4 + 3] = y + 32 + rnd.nextInt(size / 2 - 32);
                labels[b] = rnd.nextInt(classes);
            }
            truths.add(new GroundTruth(boxes, labels));
        }
        RetinaNetTargets t = new TargetBuilder(model.spec()).build(truths, size, size);
        return new MultiDataSet(new INDArray[]{Nd4j.randn(DataType.FLOAT, 2, 3, size, size)},
                new INDArray[]{t.classTargets(), t.boxTargets()});
    }
}
