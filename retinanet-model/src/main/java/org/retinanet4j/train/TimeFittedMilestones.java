package org.retinanet4j.train;

import java.util.Arrays;

/**
 * Moves the learning-rate milestones of a run that has both an iteration count and a time limit so that the decay
 * still happens on a machine too slow to finish the iterations in time: a milestone at 80% of 1,200 iterations
 * becomes 80% of the iterations the run is projected to reach by its deadline. Without this, a slow machine stops
 * at the time limit before the decay and ends at the full learning rate.
 *
 * <p>The projection uses the speed measured since iteration {@value #FIRST_MEASURED_ITERATION} (the first steps
 * are slower: compilation, workspaces growing) and is renewed every {@value #REFIT_EVERY} iterations, so a run
 * that speeds up moves its milestones back towards the nominal ones. A milestone that has been passed stays where
 * it was; one that the projection puts at or before the current iteration applies from the next step. On a machine
 * fast enough to finish the iterations in time the milestones stay as configured. Pure arithmetic on iterations
 * and {@link System#nanoTime()} values; {@link Trainer} applies the result ({@link OptimizationRecipe#setSchedule}).
 */
final class TimeFittedMilestones {
    static final int FIRST_MEASURED_ITERATION = 10;
    static final int REFIT_EVERY = 50;

    private final int[] nominal;
    private final int maxIterations;
    private final long deadlineNanos;
    private int[] current;
    private int measuredFrom = -1;
    private long measuredFromNanos;
    private int lastFit = -1;
    private long projected = -1;
    private int moves;

    /**
     * @param nominal       the configured milestones
     * @param maxIterations the configured number of iterations (the milestones are placed for it)
     * @param deadlineNanos the {@link System#nanoTime()} at which the time limit stops the run
     */
    TimeFittedMilestones(int[] nominal, int maxIterations, long deadlineNanos) {
        this(nominal, maxIterations, deadlineNanos, nominal);
    }

    /**
     * A run that goes on from a checkpoint: {@code inForce} are the milestones its restored schedule holds (moved by
     * the run that wrote it); those the run has passed stay where they are, as in {@link #after}, so the learning
     * rate never returns to a value it has decayed from.
     */
    TimeFittedMilestones(int[] nominal, int maxIterations, long deadlineNanos, int[] inForce) {
        if (maxIterations <= 0) {
            throw new IllegalArgumentException("fitting milestones to a time limit needs an iteration count");
        }
        if (inForce.length != nominal.length) {
            throw new IllegalArgumentException("milestones in force " + Arrays.toString(inForce)
                    + " do not match the configured " + Arrays.toString(nominal));
        }
        this.nominal = nominal.clone();
        Arrays.sort(this.nominal);
        this.maxIterations = maxIterations;
        this.deadlineNanos = deadlineNanos;
        this.current = inForce.clone();
        Arrays.sort(this.current);
    }

    /** The milestones in force now. */
    int[] current() {
        return current.clone();
    }

    /** How often the milestones have moved so far. */
    int moves() {
        return moves;
    }

    /** The iterations the run is projected to reach at the last fit, or -1 before the first. */
    long projectedIterations() {
        return projected;
    }

    /**
     * Called after the step that reached {@code iteration} at {@code nowNanos}: the new milestones when they move,
     * else null.
     */
    int[] after(int iteration, long nowNanos) {
        if (allPassed(iteration)) {
            return null;
        }
        if (measuredFrom < 0) {
            if (iteration >= FIRST_MEASURED_ITERATION) {
                measuredFrom = iteration;
                measuredFromNanos = nowNanos;
            }
            return null;
        }
        if (iteration - measuredFrom < REFIT_EVERY || (lastFit >= 0 && iteration - lastFit < REFIT_EVERY)) {
            return null;
        }
        lastFit = iteration;
        double perNano = (double) (iteration - measuredFrom) / (nowNanos - measuredFromNanos);
        projected = iteration + (long) Math.floor(perNano * Math.max(0, deadlineNanos - nowNanos));
        double scale = Math.min(1.0, (double) projected / maxIterations);
        int[] next = current.clone();
        for (int k = 0; k < next.length; k++) {
            if (current[k] <= iteration) {
                continue; // passed: the decay has happened
            }
            next[k] = Math.max(iteration, (int) Math.round(nominal[k] * scale));
        }
        if (Arrays.equals(next, current)) {
            return null;
        }
        current = next;
        moves++;
        return current.clone();
    }

    private boolean allPassed(int iteration) {
        for (int m : current) {
            if (m > iteration) {
                return false;
            }
        }
        return true;
    }
}
