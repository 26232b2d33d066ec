package org.retinanet4j.train;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The stop rule shared by the local and the Spark trainer: iterations, then epochs, then the wall clock. */
class TrainingLimitsTest {

    private static TrainerConfig.Builder config() {
        return TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(0.01);
    }

    @Test
    void eachLimitStopsTheRunWhenReachedAndNotBefore() {
        TrainingLimits limits = TrainingLimits.of(config().maxIterations(5).maxEpochs(2).build(), System.nanoTime());
        assertNull(limits.reached(new TrainingState(4, 1, 3, 1, 0, 0)), "iteration 4 of 5, epoch 1 of 2: go on");
        assertEquals(TrainingResult.StopReason.ITERATIONS, limits.reached(new TrainingState(5, 1, 0, 1, 0, 0)));
        assertEquals(TrainingResult.StopReason.EPOCHS, limits.reached(new TrainingState(4, 2, 0, 1, 0, 0)));
        assertEquals(TrainingResult.StopReason.ITERATIONS, limits.reached(new TrainingState(5, 2, 0, 1, 0, 0)),
                "iterations are checked first, as the progress line reports them");
    }

    @Test
    void theTimeLimitCountsFromTheStartOfTheRun() {
        TrainerConfig oneMinute = config().maxDuration(Duration.ofMinutes(1)).build();
        TrainingState state = new TrainingState(1000, 3, 0, 1, 0, 0);
        assertNull(TrainingLimits.of(oneMinute, System.nanoTime()).reached(state), "started just now");
        assertEquals(TrainingResult.StopReason.TIME_LIMIT,
                TrainingLimits.of(oneMinute, System.nanoTime() - Duration.ofMinutes(2).toNanos()).reached(state),
                "started two minutes ago");
    }

    @Test
    void withoutLimitsTheRunGoesOn() {
        TrainingLimits none = TrainingLimits.of(config().build(), System.nanoTime());
        assertEquals(Integer.MAX_VALUE, none.maxIterations());
        assertEquals(Long.MAX_VALUE, none.deadlineNanos());
        assertNull(none.reached(new TrainingState(1_000_000, 10_000, 0, 1, 0, 0)));
    }
}
