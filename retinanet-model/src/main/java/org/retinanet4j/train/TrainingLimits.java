package org.retinanet4j.train;

/**
 * When a training run stops: its configuration's iteration and epoch limits and its wall-clock deadline, checked
 * before every step by the local trainer and the Spark trainer alike.
 *
 * @param maxIterations  last iteration (exclusive); {@link Integer#MAX_VALUE} for no limit
 * @param maxEpochs      last epoch (exclusive); {@link Integer#MAX_VALUE} for no limit
 * @param deadlineNanos  {@link System#nanoTime()} at which the time limit is reached; {@link Long#MAX_VALUE} for none
 */
public record TrainingLimits(int maxIterations, int maxEpochs, long deadlineNanos) {

    /** The limits of {@code config} for a run that starts at {@code startNanos} ({@link System#nanoTime()}). */
    public static TrainingLimits of(TrainerConfig config, long startNanos) {
        return new TrainingLimits(config.maxIterations() > 0 ? config.maxIterations() : Integer.MAX_VALUE,
                config.maxEpochs() > 0 ? config.maxEpochs() : Integer.MAX_VALUE,
                config.maxDuration() == null ? Long.MAX_VALUE : startNanos + config.maxDuration().toNanos());
    }

    /** Why the run stops before the step after {@code state}, or null if it goes on. */
    public TrainingResult.StopReason reached(TrainingState state) {
        if (state.iteration() >= maxIterations) {
            return TrainingResult.StopReason.ITERATIONS;
        }
        if (state.epoch() >= maxEpochs) {
            return TrainingResult.StopReason.EPOCHS;
        }
        if (System.nanoTime() >= deadlineNanos) {
            return TrainingResult.StopReason.TIME_LIMIT;
        }
        return null;
    }
}
