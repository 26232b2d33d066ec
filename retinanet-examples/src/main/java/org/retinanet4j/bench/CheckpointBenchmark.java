package org.retinanet4j.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.targets.TargetBuilder;
import org.retinanet4j.train.CheckpointManager;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.ProgressReporter;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingData;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.train.TrainingState;
import org.retinanet4j.zoo.RetinaNet;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * What checkpoints cost a training run: the small configuration (11.3M parameters, Adam state: two more values per
 * parameter) trained through the {@link Trainer} on pre-built synthetic batches, once without checkpoints and once
 * with one every {@code every} iterations (and at the end). Reports the training thread's stall at each checkpoint
 * (the step after a checkpoint minus the median of the other steps of that run), the whole run's extra wall time, and the time of a blocking
 * {@link CheckpointManager#save} (the complete write, whichever thread does it) with the file size, and what the
 * trained arrays cost stored and deflated.
 *
 * <pre>
 * RETINANET_MAIN=org.retinanet4j.bench.CheckpointBenchmark ./retinanet [iterations] [every] [size] [batch] [dir]
 * </pre>
 * Defaults: 31 10 128 8 and a temporary folder under {@code java.io.tmpdir}. The checkpoint and trainer calls are
 * those that existed before checkpoints were written in the background, so older code can be measured with the
 * same file (adapting only how the model and its metadata are built).
 */
public final class CheckpointBenchmark {

    private CheckpointBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 31;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        Path root = args.length > 4 ? Files.createDirectories(Path.of(args[4]))
                : Path.of(System.getProperty("java.io.tmpdir"));
        int classes = 3;
        RetinaNet zoo = RetinaNet.smallBuilder(classes).inputShape(3, size, size).seed(1).build();
        ComputationGraph graph = zoo.init();
        List<MultiDataSet> batches = randomBatches(zoo, 4, batch);
        TrainingData data = epoch -> new ListMultiDataSetIterator(batches);
        ModelMetadata md = ModelMetadata.of(zoo.spec(), List.of("a", "b", "c"), new int[]{1, 2, 3});
        System.out.printf(Locale.ROOT, "small configuration, %d parameters, input %d, batch %d; %d iterations, "
                + "checkpoint every %d (and at the end)%n", graph.params().length(), size, batch, iterations, every);

        run(graph, data, md, 3, 0, root); // warm-up
        long[] plain = run(graph, data, md, iterations, 0, root);
        Path dir = Files.createTempDirectory(root, "ckpt-bench");
        long[] with = run(graph, data, md, iterations, every, dir);
        delete(dir);

        // the step time from the same run, without the steps that follow a checkpoint (the load may change between runs)
        List<Long> steps = new ArrayList<>();
        for (int i = 1; i < iterations; i++) {
            if (i % every != 0) {
                steps.add(with[i] - with[i - 1]);
            }
        }
        Collections.sort(steps);
        double step = steps.get(steps.size() / 2) / 1e9;
        StringBuilder stalls = new StringBuilder();
        double stallSum = 0;
        int n = 0;
        for (int k = every; k < iterations; k += every) {
            double stall = (with[k] - with[k - 1]) / 1e9 - step;   // with[k]: end of the step after checkpoint k
            stalls.append(n++ == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", stall));
            stallSum += stall;
        }
        double plainTotal = (plain[iterations - 1] - plain[0]) / 1e9;
        double withTotal = (with[iterations - 1] - with[0]) / 1e9;
        System.out.printf(Locale.ROOT, "median step %.3f s; training-thread stall per checkpoint %s s (mean %.2f s: "
                + "%.2f%% of training at every %d, %.3f%% at every 500); steps 2..%d took %.1f s without "
                + "checkpoints, %.1f s with%n", step, stalls, stallSum / n, 100 * stallSum / n / (every * step), every,
                100 * stallSum / n / (500 * step), iterations, plainTotal, withTotal);

        dir = Files.createTempDirectory(root, "ckpt-bench");
        CheckpointManager manager = new CheckpointManager(dir, 1);
        for (int r = 0; r < 2; r++) {
            long t0 = System.nanoTime();
            Path file = manager.save(graph, md, new TrainingState(r + 1, 0, r + 1, 1, 0, 0));
            System.out.printf(Locale.ROOT, "blocking save (the whole write) %.2f s, %.1f MB%n",
                    (System.nanoTime() - t0) / 1e9, Files.size(file) / 1e6);
        }
        delete(dir);
        codecs(graph, root);
    }

    /**
     * The trained parameters and Adam state (as {@code Nd4j.write} serialises them) into a zip entry: stored, and
     * deflated at levels 1 (fastest) and 6 (the default, what DL4J's ModelSerializer uses): time and size.
     */
    private static void codecs(ComputationGraph graph, Path root) throws IOException {
        INDArray[] arrays = {graph.params(), graph.getUpdater().getStateViewArray()};
        for (int level : new int[]{Deflater.NO_COMPRESSION, Deflater.BEST_SPEED, Deflater.DEFAULT_COMPRESSION}) {
            Path file = Files.createTempFile(root, "codec", ".zip");
            long t0 = System.nanoTime();
            try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file),
                    1 << 16))) {
                zip.setLevel(level);
                for (int i = 0; i < arrays.length; i++) {
                    zip.putNextEntry(new ZipEntry("array" + i + ".bin"));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(zip, 1 << 16));
                    Nd4j.write(arrays[i], out);
                    out.flush();
                    zip.closeEntry();
                }
            }
            System.out.printf(Locale.ROOT, "deflate level %s: %.2f s, %.1f MB%n",
                    level == Deflater.NO_COMPRESSION ? "0 (stored blocks)" : level == Deflater.BEST_SPEED ? "1"
                            : "6 (default)", (System.nanoTime() - t0) / 1e9, Files.size(file) / 1e6);
            Files.delete(file);
        }
    }

    /** Trains {@code iterations} steps; the time at which each step was reported done (index = iteration - 1). */
    private static long[] run(ComputationGraph graph, TrainingData data, ModelMetadata md, int iterations,
                              int every, Path dir) {
        TrainerConfig config = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-5)
                .weightDecay(0).warmup(0, 1).maxIterations(iterations).checkpointEvery(every).keepLast(2).build();
        long[] done = new long[iterations];
        Trainer trainer = new Trainer(config, md).progress(new ProgressReporter() {
            @Override
            public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
                done[state.iteration() - 1] = System.nanoTime();
            }
        });
        if (every > 0) {
            trainer.checkpoints(new CheckpointManager(dir, 2));
        }
        TrainingResult r = trainer.fit(graph, data);
        if (r.state().iteration() != iterations) {
            throw new IllegalStateException("stopped at iteration " + r.state().iteration());
        }
        return done;
    }

    /**
     * {@code n} batches of random pixels with one box each and real targets: what a checkpoint costs does not
     * depend on what the network sees, only that training steps run.
     */
    private static List<MultiDataSet> randomBatches(RetinaNet zoo, int n, int batch) {
        int size = zoo.spec().inputHeight();
        TargetBuilder targets = new TargetBuilder(zoo.spec());
        Nd4j.getRandom().setSeed(1);
        List<MultiDataSet> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            List<GroundTruth> truths = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                float o = size / 8f + i % 4 * size / 16f;
                truths.add(new GroundTruth(new float[]{o, o, o + size / 2f, o + size / 3f}, new int[]{i % 3},
                        new boolean[1]));
            }
            RetinaNetTargets t = targets.build(truths, size, size);
            INDArray images = Nd4j.rand(DataType.FLOAT, batch, 3, size, size).subi(0.5).muli(4);
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{images},
                    new INDArray[]{t.classTargets(), t.boxTargets()}));
        }
        return out;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
