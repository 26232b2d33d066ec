package org.retinanet4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.train.Checkpoint;
import org.retinanet4j.train.CheckpointManager;
import org.retinanet4j.train.NonFiniteLossException;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.ProgressReporter;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingLimits;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.train.TrainingState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Trains a RetinaNet graph on Spark with DL4J's {@link SparkComputationGraph} and a {@link TrainingMaster}
 * ({@link TrainingMasters}), from an RDD of DataVec records: the records are batched on the executors by
 * {@link RecordBatches} with the local trainer's batch loader and target builder, so the driver holds no image.
 * Around DL4J's fits it does what the local {@code Trainer} does: the optimiser recipe of the {@link TrainerConfig}
 * (same schedule, clipping and weight decay), checkpoints with the {@link CheckpointManager} (parameters, averaged
 * updater state, training state: {@link #resume} continues at the saved batch of the saved epoch), a stop on a
 * NaN/Inf loss naming the last good checkpoint, and the iteration, epoch and time limits.
 *
 * <p>One Spark "round" gives each of the W workers {@code averagingFrequency} batches; DL4J then averages
 * parameters and updater state and counts {@code averagingFrequency} iterations. The trainer hands DL4J a few
 * rounds at a time (up to the next checkpoint or progress report), so an epoch of B batches takes about
 * B / W iterations.
 */
public final class SparkTrainer {
    private static final Logger log = LoggerFactory.getLogger(SparkTrainer.class);
    /** Rounds handed to DL4J in one fit when no checkpoint comes sooner: bounds cached batches and report gaps. */
    static final int MAX_ROUNDS_PER_FIT = 4;

    private final JavaSparkContext sc;
    private final TrainerConfig config;
    private final ModelMetadata metadata;
    private final SparkTrainingSettings settings;
    private CheckpointManager checkpoints;
    private ProgressReporter progress = ProgressReporter.NONE;

    public SparkTrainer(JavaSparkContext sc, TrainerConfig config, ModelMetadata metadata,
                        SparkTrainingSettings settings) {
        this.sc = Objects.requireNonNull(sc);
        this.config = Objects.requireNonNull(config);
        this.metadata = Objects.requireNonNull(metadata);
        this.settings = Objects.requireNonNull(settings);
    }

    /** Write checkpoints here (none are written without). */
    public SparkTrainer checkpoints(CheckpointManager manager) {
        this.checkpoints = manager;
        return this;
    }

    public SparkTrainer progress(ProgressReporter reporter) {
        this.progress = Objects.requireNonNull(reporter);
        return this;
    }

    /** Training workers: the settings' count, or Spark's default parallelism. */
    public int workers() {
        return settings.workers() > 0 ? settings.workers() : sc.defaultParallelism();
    }

    /** Trains a fresh graph on {@code records} (named {@code source} in messages). */
    public TrainingResult fit(ComputationGraph graph, JavaRDD<List<Writable>> records, String source) {
        OptimizationRecipe.apply(graph, config);
        graph.getConfiguration().setIterationCount(0);
        graph.getConfiguration().setEpochCount(0);
        return run(graph, records, source, TrainingState.start(config.seed()));
    }

    /** Continues a checkpointed run: its graph, averaged updater state, schedule position and data position. */
    public TrainingResult resume(Checkpoint checkpoint, JavaRDD<List<Writable>> records, String source) {
        ComputationGraph graph = checkpoint.model().graph();
        TrainingState state = checkpoint.state();
        graph.getConfiguration().setIterationCount(state.iteration());
        graph.getConfiguration().setEpochCount(state.epoch());
        log.info("resuming from {} at iteration {} (epoch {}, batch {})", checkpoint.file(), state.iteration(),
                state.epoch(), state.batchInEpoch());
        return run(graph, records, source, state);
    }

    private TrainingResult run(ComputationGraph graph, JavaRDD<List<Writable>> records, String source,
                               TrainingState start) {
        long t0 = System.nanoTime();
        TrainingLimits limits = TrainingLimits.of(config, t0);
        int workers = workers();
        int frequency = settings.averagingFrequency();
        TrainingMaster<?, ?> master = TrainingMasters.create(settings, workers, start.seed() + start.iteration(), graph);
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, graph, master);
        RecordBatches batches = new RecordBatches(sc, records, settings.batchSize(),
                BatchRecipe.forTraining(metadata.spec(), start.seed()), source);
        log.info("Spark training: {} records, {} batches of {} per epoch, {} workers, {} steps between averagings",
                batches.numRecords(), batches.batchesPerEpoch(), settings.batchSize(), workers, frequency);
        int maxIterations = limits.maxIterations();
        progress.started(start, config.maxIterations() > 0 ? config.maxIterations() : -1);
        TrainingState state = start;
        Path lastCheckpoint = checkpoints == null ? null : checkpoints.list().stream().findFirst().orElse(null);
        double lastLoss = Double.NaN;
        long imagesThisRun = 0;
        TrainingResult.StopReason reason;
        try {
            while (true) {
                reason = limits.reached(state);
                if (reason != null) {
                    break;
                }
                if (state.batchInEpoch() >= batches.batchesPerEpoch()) {
                    state = state.nextEpoch();
                    graph.getConfiguration().setEpochCount(state.epoch());
                    continue;
                }
                int rounds = roundsUntilNextEvent(state.iteration(), frequency, maxIterations);
                int from = state.batchInEpoch();
                int to = Math.min(batches.batchesPerEpoch(), from + rounds * workers * frequency);
                JavaRDD<MultiDataSet> data = batches.batches(state.epoch(), from, to);
                try {
                    sparkNet.fitMultiDataSet(data);
                } catch (Exception e) {    // Spark's SparkException is checked, yet thrown undeclared from Scala
                    throw SparkFailures.explain(e, state);
                } finally {
                    data.unpersist(false);
                }
                double loss = sparkNet.getScore();
                if (Double.isFinite(loss) && !Double.isFinite(graph.params().sumNumber().doubleValue())) {
                    loss = Double.NaN;
                }
                int iteration = graph.getConfiguration().getIterationCount();
                long images = (long) (to - from) * settings.batchSize();
                TrainingState after = new TrainingState(iteration, state.epoch(), to, state.seed(),
                        state.imagesSeen() + images, state.skippedBatches());
                if (!Double.isFinite(loss)) {
                    throw new NonFiniteLossException(after, loss, null, lastCheckpoint == null
                            ? "none (no checkpoint was written yet)" : lastCheckpoint.toString());
                }
                boolean checkpointDue = crossed(config.checkpointEvery(), state.iteration(), iteration);
                state = after;
                lastLoss = loss;
                imagesThisRun += images;
                progress.iterationDone(state, loss, imagesPerSecond(imagesThisRun, t0));
                if (checkpointDue && checkpoints != null) {
                    lastCheckpoint = checkpoints.save(graph, metadata, state);
                }
            }
        } finally {
            batches.release();
        }
        if (checkpoints != null && state.iteration() > start.iteration()) {
            lastCheckpoint = checkpoints.save(graph, metadata, state);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        log.info("Spark training stopped ({}) at iteration {} after {} s; last loss {}", reason, state.iteration(),
                elapsed.toSeconds(), lastLoss);
        progress.close();
        return new TrainingResult(graph, state, reason, lastLoss, lastCheckpoint, elapsed,
                imagesPerSecond(imagesThisRun, t0), Double.NaN);
    }

    /** Rounds to hand DL4J now: up to the next checkpoint or the iteration limit, at most {@link #MAX_ROUNDS_PER_FIT}. */
    private int roundsUntilNextEvent(int iteration, int frequency, int maxIterations) {
        int iterations = maxIterations - iteration;
        int every = config.checkpointEvery();
        if (every > 0) {
            iterations = Math.min(iterations, every - iteration % every);
        }
        int rounds = (iterations + frequency - 1) / frequency;
        return Math.max(1, Math.min(MAX_ROUNDS_PER_FIT, rounds));
    }

    private static boolean crossed(int every, int before, int after) {
        return every > 0 && after / every > before / every;
    }

    private static double imagesPerSecond(long images, long t0) {
        double s = (System.nanoTime() - t0) / 1e9;
        return s > 0 ? images / s : 0;
    }
}
