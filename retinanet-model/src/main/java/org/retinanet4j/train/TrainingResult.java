package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.time.Duration;

/** The outcome of a run: the trained graph, where it stopped, why, the last loss and checkpoint, and timing. */
public record TrainingResult(ComputationGraph graph, TrainingState state, StopReason stopReason, double lastLoss,
                             Path lastCheckpoint, Duration elapsed, double imagesPerSecond, double lastValidation) {

    /** Why the run ended. */
    public enum StopReason {
        ITERATIONS, EPOCHS, TIME_LIMIT
    }
}
