package org.retinanet4j.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.ProgressReporter;
import org.retinanet4j.train.TrainingState;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingData;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.zoo.RetinaNet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Training throughput (images per second, optimiser steps included) of the RetinaNet graph through the
 * {@link Trainer}, on one device or with ParallelWrapper workers. Batches are pre-built from a synthetic shapes
 * dataset of the model's input size (real targets), so the figure is the network's, not the image decoder's.
 *
 * <pre>
 * RETINANET_MAIN=org.retinanet4j.bench.TrainingThroughputBenchmark ./retinanet [small|resnet50] [size] [batch]
 *     [workers] [iterations]
 * </pre>
 * Defaults: small 256 8 1 10. The first two iterations (steps; with workers, each step is one batch per worker)
 * are warm-up and not counted. A second line gives the median and fastest step (steadier than the mean on a machine
 * with neighbours; JIT compilation makes the first twenty or so steps slower); {@code
 * RETINANET_JAVA_OPTS=-Dretinanet.bench.steps=true} prints every step's time; {@code
 * -Dretinanet.bench.alternate='a=1;a=2'} switches between two sets of system properties every 5 steps and prints
 * each set's median ({@link AlternatingSettings}: the fair comparison on a machine whose speed drifts). The last
 * line gives the Java heap the main thread allocated per step and the garbage collections during the timed steps
 * ({@link HeapCosts}): figures that do not drift with the machine.
 */
public final class TrainingThroughputBenchmark {

    private TrainingThroughputBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String model = args.length > 0 ? args[0] : "small";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int iterations = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int classes = 3;
        RetinaNet zoo = ("small".equals(model) ? RetinaNet.smallBuilder(classes) : RetinaNet.builder()
                .numClasses(classes).backbone(model)).inputShape(3, size, size).build();
        ComputationGraph graph = zoo.init();
        List<MultiDataSet> batches = shapesBatches(zoo, 4, batch);
        TrainingData data = epoch -> new org.retinanet4j.bench.ListMultiDataSetIterator(batches);
        ModelMetadata md = ModelMetadata.of(zoo.spec(), List.of("a", "b", "c"), new int[]{1, 2, 3});
        // Adam with a small rate: timing does not depend on it, and the run must not stop on a diverging loss
        TrainerConfig.Builder c = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-5)
                .weightDecay(0).warmup(0, 1).workers(workers);
        int warm = 2;
        AlternatingSettings alternating = AlternatingSettings.fromSystemProperty(5);
        long[] mark = new long[2];
        long[] steps = new long[iterations];
        long[] last = new long[1];
        HeapCosts heap = new HeapCosts();
        ProgressReporter clock = new ProgressReporter() {
            @Override
            public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
                long now = System.nanoTime();
                if (state.iteration() >= warm && mark[0] == 0) {
                    mark[0] = now;
                    mark[1] = state.imagesSeen();
                    heap.start();
                } else if (mark[0] != 0 && state.iteration() - warm - 1 < steps.length) {
                    steps[(int) (state.iteration() - warm - 1)] = now - last[0];
                    if (alternating != null) {
                        alternating.stepTimed((now - last[0]) / 1e6);
                    }
                }
                last[0] = now;
            }
        };
        TrainingResult r = new Trainer(c.maxIterations(warm + iterations).build(), md).progress(clock)
                .fit(graph, data);
        double seconds = (System.nanoTime() - mark[0]) / 1e9;
        long images = r.state().imagesSeen() - mark[1];
        System.out.printf(Locale.ROOT, "%s %dx%d batch %d workers %d: %.2f images/s (%d images in %.1f s after %d "
                        + "warm-up iterations; %d parameters; last loss %.3f)%n", model, size, size, batch, workers,
                images / seconds, images, seconds, warm, graph.params().length(), r.lastLoss());
        // the median step is steadier than the mean on a machine with neighbours
        long[] timed = Arrays.copyOf(steps, Math.max(1, iterations - 1));
        Arrays.sort(timed);
        if (Boolean.getBoolean("retinanet.bench.steps")) {
            System.out.println("steps (ms): " + Arrays.toString(Arrays.stream(steps).map(t -> t / 1_000_000).toArray()));
        }
        System.out.printf(Locale.ROOT, "step: median %.1f ms, min %.1f ms (%.2f images/s at the median), mean %.1f ms%n",
                timed[timed.length / 2] / 1e6, timed[0] / 1e6, batch * 1e9 / timed[timed.length / 2],
                Arrays.stream(timed).average().orElse(0) / 1e6);
        System.out.println(heap.report(iterations));
        if (alternating != null) {
            System.out.print(alternating.report());
        }
        System.exit(0);
    }

    /** {@code n} training batches of a generated shapes dataset, prepared for the model's spec. */
    private static List<MultiDataSet> shapesBatches(RetinaNet zoo, int n, int batch) throws IOException {
        Path tmp = Files.createTempDirectory("throughput-bench");
        try {
            int size = zoo.spec().inputHeight();
            ShapesDataset shapes = new ShapesDatasetGenerator(ShapesConfig.defaults(n * batch, 1, 1)
                    .withImageSize(size, Math.max(12, size / 8), size / 2)).generate(tmp);
            DetectionDataset train = new CocoInstancesReader().read(shapes.trainAnnotations(), shapes.trainImages());
            List<MultiDataSet> out = new ArrayList<>();
            try (RetinaNetIterator it = RetinaNetIterator.builder(train, zoo.spec()).withTargets().batchSize(batch)
                    .training(true).build()) {
                while (it.hasNext()) {
                    out.add(it.next());
                }
            }
            return out;
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
