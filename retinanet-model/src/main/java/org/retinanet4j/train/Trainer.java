package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.retinanet4j.persist.ModelMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Fits a RetinaNet graph: from scratch ({@link #fit}) or from a checkpoint ({@link #resume}), on one device or
 * several ({@code workers >= 2}, through {@link ParallelWrapperRunner}). Around the optimiser steps it writes
 * checkpoints (every {@code checkpointEvery} iterations and at the end), guards against NaN/Inf losses, runs the
 * validation hook, stops at the iteration, epoch or time limit, and reports progress.
 */
public final class Trainer {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);
    /** With the skip policy, this many non-finite batches in a row mean the model itself is broken: stop. */
    static final int MAX_SKIPPED_IN_A_ROW = 20;

    private final TrainerConfig config;
    private final ModelMetadata metadata;
    private CheckpointManager checkpoints;
    private ValidationHook validation;
    private ProgressReporter progress = ProgressReporter.NONE;
    private final List<TrainingListener> listeners = new ArrayList<>();

    public Trainer(TrainerConfig config, ModelMetadata metadata) {
        this.config = Objects.requireNonNull(config);
        if (!config.hasLength()) {
            throw new IllegalArgumentException("give a number of iterations, epochs or a time limit");
        }
        this.metadata = Objects.requireNonNull(metadata);
    }

    /** Write checkpoints here (none are written without). */
    public Trainer checkpoints(CheckpointManager manager) {
        this.checkpoints = manager;
        return this;
    }

    public Trainer validation(ValidationHook hook) {
        this.validation = hook;
        return this;
    }

    public Trainer progress(ProgressReporter reporter) {
        this.progress = Objects.requireNonNull(reporter);
        return this;
    }

    /** Extra DL4J listeners (e.g. the UI's StatsListener). */
    public Trainer listener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Trains a fresh graph from iteration 0 with this trainer's {@link TrainerConfig} as its optimiser: the
     * config's optimiser, schedule, weight decay and clipping replace whatever updater the graph carried
     * ({@link OptimizationRecipe#apply}), and the replacement is logged.
     */
    public TrainingResult fit(ComputationGraph graph, TrainingData data) {
        OptimizationRecipe.apply(graph, config);
        log.info("optimiser: {} lr {} (warm-up {} iterations, milestones {}), weight decay {}, clipping {}",
                config.optimizer(), config.learningRate(), config.warmupIterations(),
                java.util.Arrays.toString(config.milestones()), config.weightDecay(), config.gradientClipL2());
        graph.getConfiguration().setIterationCount(0);
        graph.getConfiguration().setEpochCount(0);
        return run(graph, data, TrainingState.start(config.seed()));
    }

    /** Continues a checkpointed run with its restored graph, updater state, schedule position and data order. */
    public TrainingResult resume(Checkpoint checkpoint, TrainingData data) {
        ComputationGraph graph = checkpoint.model().graph();
        TrainingState state = checkpoint.state();
        graph.getConfiguration().setIterationCount(state.iteration());
        graph.getConfiguration().setEpochCount(state.epoch());
        log.info("resuming from {} at iteration {} (epoch {}, batch {})", checkpoint.file(), state.iteration(),
                state.epoch(), state.batchInEpoch());
        return run(graph, data, state);
    }

    private TrainingResult run(ComputationGraph graph, TrainingData data, TrainingState start) {
        try {
            return runSteps(graph, data, start);
        } catch (RuntimeException | Error e) {
            // a checkpoint still being written finishes before the caller sees the error (and may look at the folder)
            if (checkpoints != null) {
                try {
                    checkpoints.awaitWrite();
                } catch (RuntimeException writeFailure) {
                    if (writeFailure != e) {
                        e.addSuppressed(writeFailure);
                    }
                }
            }
            throw e;
        }
    }

    private TrainingResult runSteps(ComputationGraph graph, TrainingData data, TrainingState start) {
        long t0 = System.nanoTime();
        TrainingLimits limits = TrainingLimits.of(config, t0);
        TrainingState state = start;
        Path lastCheckpoint = checkpoints == null ? null : checkpoints.lastWritten();
        TrainingState checkpointed = null;
        double lastLoss = Double.NaN;
        double lastValidation = Double.NaN;
        long imagesThisRun = 0;
        int skippedInARow = 0;
        TrainingResult.StopReason reason;
        int maxIterations = limits.maxIterations();
        TimeFittedMilestones fitted = timeFittedMilestones(limits, graph);
        progress.started(start, config.maxIterations() > 0 ? config.maxIterations() : -1);
        try (StepRunner runner = createRunner(graph)) {
            MultiDataSetIterator it = null;
            while (true) {
                reason = limits.reached(state);
                if (reason != null) {
                    break;
                }
                if (it == null) {
                    it = data.epoch(state.epoch());
                    data.skip(it, state.batchInEpoch());
                }
                if (!it.hasNext()) {
                    if (state.batchInEpoch() == 0) {
                        throw new IllegalStateException("the training data has no batches for epoch "
                                + state.epoch());
                    }
                    state = state.nextEpoch();
                    graph.getConfiguration().setEpochCount(state.epoch());
                    it = null;
                    continue;
                }
                int steps = Math.max(1, Math.min(stepsUntilNextEvent(state.iteration()),
                        maxIterations - state.iteration()));
                StepRunner.Outcome out = runner.run(it, steps, state);
                if (checkpoints != null) {
                    checkpoints.throwIfWriteFailed();
                }
                if (out.skipped()) {
                    state = state.afterSkippedBatch();
                    if (++skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
                        throw new NonFiniteLossException(state, out.loss(), skippedInARow + " batches in a row",
                                describe(lastGoodCheckpoint(lastCheckpoint)));
                    }
                    continue;
                }
                skippedInARow = 0;
                if (!Double.isFinite(out.loss())) {
                    throw new NonFiniteLossException(state, out.loss(), null,
                            describe(lastGoodCheckpoint(lastCheckpoint)));
                }
                state = advance(state, out, runner.batchesPerStep());
                graph.getConfiguration().setIterationCount(state.iteration());
                lastLoss = out.loss();
                imagesThisRun += out.images();
                if (fitted != null) {
                    refit(graph, fitted, state.iteration());
                }
                progress.iterationDone(state, lastLoss, imagesPerSecond(imagesThisRun, t0));
                if (due(config.checkpointEvery(), state.iteration()) && checkpoints != null) {
                    // copied now, written while the next steps run
                    lastCheckpoint = checkpoints.saveInBackground(graph, metadata, state);
                    checkpointed = state;
                }
                if (due(config.validationEvery(), state.iteration()) && validation != null) {
                    lastValidation = validate(graph, state);
                }
            }
        }
        if (checkpoints != null) {
            lastCheckpoint = checkpoints.awaitWrite();
            if (state.iteration() > start.iteration() && !state.equals(checkpointed)) {
                lastCheckpoint = checkpoints.save(graph, metadata, state);
            }
        }
        if (validation != null && config.validationEvery() >= 0 && !due(config.validationEvery(), state.iteration())) {
            lastValidation = validate(graph, state);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        log.info("training stopped ({}) at iteration {} after {} s; last loss {}{}", reason, state.iteration(),
                elapsed.toSeconds(), lastLoss, fitted == null ? ""
                        : "; learning-rate milestones fitted to the time limit: " + java.util.Arrays.toString(fitted.current()));
        progress.close();
        return new TrainingResult(graph, state, reason, lastLoss, lastCheckpoint, elapsed,
                imagesPerSecond(imagesThisRun, t0), lastValidation);
    }

    /**
     * The milestone fitter when the configuration asks for one and the run can use it, else null. It starts from the
     * milestones the graph's schedule holds: the configured ones for a new run, a checkpoint's (perhaps moved) ones
     * for a resumed run, whose passed milestones must stay passed.
     */
    private TimeFittedMilestones timeFittedMilestones(TrainingLimits limits, ComputationGraph graph) {
        if (!config.fitMilestonesToTime() || config.milestones().length == 0 || config.maxIterations() <= 0
                || config.maxDuration() == null) {
            return null;
        }
        if (config.workers() >= 2) {
            // each ParallelWrapper worker trains its own copy of the configuration, which this trainer cannot reach
            log.warn("milestones are not fitted to the time limit with {} workers: they stay at {}", config.workers(),
                    java.util.Arrays.toString(config.milestones()));
            return null;
        }
        int[] inForce = OptimizationRecipe.milestonesInForce(graph)
                .filter(m -> m.length == config.milestones().length).orElse(config.milestones());
        if (!java.util.Arrays.equals(inForce, config.schedule().milestones())) { // both sorted
            log.info("learning-rate milestones in force from the checkpoint: {} (configured {})",
                    java.util.Arrays.toString(inForce), java.util.Arrays.toString(config.milestones()));
        }
        return new TimeFittedMilestones(config.milestones(), config.maxIterations(), limits.deadlineNanos(), inForce);
    }

    private void refit(ComputationGraph graph, TimeFittedMilestones fitted, int iteration) {
        int[] moved = fitted.after(iteration, System.nanoTime());
        if (moved == null) {
            return;
        }
        progress.expectedIterations(Math.min(config.maxIterations(), fitted.projectedIterations()));
        OptimizationRecipe.setSchedule(graph, config.schedule().withMilestones(moved));
        String message = "iteration {}: the time limit allows about {} of {} iterations; learning-rate milestones now {}";
        Object[] args = {iteration, fitted.projectedIterations(), config.maxIterations(), java.util.Arrays.toString(moved)};
        if (fitted.moves() == 1) { // the first move at info, the projection's later refinements at debug
            log.info(message, args);
        } else {
            log.debug(message, args);
        }
    }

    private StepRunner createRunner(ComputationGraph graph) {
        if (config.workers() >= 2) {
            return new ParallelWrapperRunner(graph, config.workers(), listeners);
        }
        if (!listeners.isEmpty()) {
            graph.addListeners(listeners.toArray(new TrainingListener[0]));
        }
        return new SingleDeviceRunner(graph, config.nonFinitePolicy());
    }

    private static TrainingState advance(TrainingState s, StepRunner.Outcome out, int batchesPerStep) {
        // an optimiser step consumes batchesPerStep batches; the state counts steps and the batches themselves
        TrainingState next = new TrainingState(s.iteration() + out.steps(), s.epoch(),
                s.batchInEpoch() + out.batches(), s.seed(), s.imagesSeen() + out.images(), s.skippedBatches());
        assert out.batches() <= out.steps() * batchesPerStep;
        return next;
    }

    private int stepsUntilNextEvent(int iteration) {
        int n = Integer.MAX_VALUE;
        for (int every : new int[]{config.checkpointEvery(), config.validationEvery()}) {
            if (every > 0) {
                n = Math.min(n, every - iteration % every);
            }
        }
        // the progress bar and the time limit want control back regularly too
        return Math.min(n, 10);
    }

    private double validate(ComputationGraph graph, TrainingState state) {
        double v = validation.validate(graph);
        log.info("validation at iteration {}: {}", state.iteration(), v);
        progress.validated(state, v);
        return v;
    }

    private static boolean due(int every, int iteration) {
        return every > 0 && iteration % every == 0;
    }

    /** The newest checkpoint completely written: waits for one being written (a NaN stop must name a real file). */
    private Path lastGoodCheckpoint(Path fallback) {
        if (checkpoints == null) {
            return fallback;
        }
        try {
            return checkpoints.awaitWrite();
        } catch (RuntimeException e) {
            log.warn("{}", e.getMessage());
            return checkpoints.lastWritten();
        }
    }

    private static String describe(Path checkpoint) {
        return checkpoint == null ? "none (no checkpoint was written yet)" : checkpoint.toString();
    }

    private static double imagesPerSecond(long images, long t0) {
        double s = (System.nanoTime() - t0) / 1e9;
        return s > 0 ? images / s : 0;
    }
}
