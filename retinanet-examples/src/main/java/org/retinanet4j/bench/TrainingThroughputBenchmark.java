package org.retinanet4j.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.RandomPixelBatches;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.ProgressReporter;
import org.retinanet4j.train.TrainingState;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingData;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.zoo.RetinaNet;

import java.util.List;
import java.util.Locale;

/**
 * Training throughput (images per second, optimiser steps included) of the RetinaNet graph through the
 * {@link Trainer}, on one device or with ParallelWrapper workers. Batches are synthetic
 * ({@link RandomPixelBatches}: random pixels, 3 random boxes per image, real targets) and pre-built, so the figure
 * is the network's, not the image decoder's.
 *
 * <pre>
 * RETINANET_MAIN=org.retinanet4j.bench.TrainingThroughputBenchmark ./retinanet [small|resnet50] [size] [batch]
 *     [workers] [iterations]
 * </pre>
 * Defaults: small 256 8 1 10. The first two iterations (steps; with workers, each step is one batch per worker)
 * are warm-up and not counted.
 */
public final class TrainingThroughputBenchmark {

    private TrainingThroughputBenchmark() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "small";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int iterations = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int classes = 3;
        RetinaNet zoo = ("small".equals(model) ? RetinaNet.smallBuilder(classes) : RetinaNet.builder()
                .numClasses(classes).backbone(model)).inputShape(3, size, size).build();
        ComputationGraph graph = zoo.init();
        List<MultiDataSet> batches = RandomPixelBatches.of(4, batch, size, classes, 1);
        TrainingData data = epoch -> new org.retinanet4j.bench.ListMultiDataSetIterator(batches);
        ModelMetadata md = ModelMetadata.of(List.of("a", "b", "c"), new int[]{1, 2, 3}, size, size, model);
        // Adam with a small rate: timing does not depend on it; with SGD (Nesterov momentum) these random batches
        // gave an infinite loss on the third step (see docs/benchmarks.md), which would stop the run
        TrainerConfig.Builder c = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-5)
                .weightDecay(0).warmup(0, 1).workers(workers);
        int warm = 2;
        long[] mark = new long[2];
        ProgressReporter clock = new ProgressReporter() {
            @Override
            public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
                if (state.iteration() >= warm && mark[0] == 0) {
                    mark[0] = System.nanoTime();
                    mark[1] = state.imagesSeen();
                }
            }
        };
        TrainingResult r = new Trainer(c.maxIterations(warm + iterations).build(), md).progress(clock)
                .fit(graph, data);
        double seconds = (System.nanoTime() - mark[0]) / 1e9;
        long images = r.state().imagesSeen() - mark[1];
        System.out.printf(Locale.ROOT, "%s %dx%d batch %d workers %d: %.2f images/s (%d images in %.1f s after %d "
                        + "warm-up iterations; %d parameters; last loss %.3f)%n", model, size, size, batch, workers,
                images / seconds, images, seconds, warm, graph.params().length(), r.lastLoss());
        System.exit(0);
    }
}
