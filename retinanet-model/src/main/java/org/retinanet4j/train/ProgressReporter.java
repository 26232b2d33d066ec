package org.retinanet4j.train;

/** Receives the trainer's progress (the CLI shows a progress bar; libraries and tests use {@link #NONE}). */
public interface ProgressReporter extends AutoCloseable {
    ProgressReporter NONE = new ProgressReporter() {
    };

    /** The run starts at {@code from}; {@code totalIterations} is -1 when only a time limit bounds it. */
    default void started(TrainingState from, long totalIterations) {
    }

    /** The time limit will stop the run at about {@code iterations} (projected from its speed so far). */
    default void expectedIterations(long iterations) {
    }

    default void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
    }

    default void validated(TrainingState state, double map) {
    }

    @Override
    default void close() {
    }
}
