package org.retinanet4j.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;

/**
 * The detection recipe's learning rate per iteration: a linear warm-up from {@code base * warmupFactor} to
 * {@code base} over {@code warmupIterations}, then {@code base * gamma^k} after the k-th milestone (step decay).
 * It depends on the iteration alone, and DL4J stores the iteration count in the saved configuration, so a resumed
 * run continues at the same point of the schedule.
 */
public final class WarmupStepSchedule implements ISchedule {
    @JsonProperty private double baseValue;
    @JsonProperty private int warmupIterations;
    @JsonProperty private double warmupFactor;
    @JsonProperty private int[] milestones;
    @JsonProperty private double gamma;

    /** For JSON deserialisation (DL4J stores schedules in the configuration). */
    public WarmupStepSchedule() {
        this(0.01, 0, 1.0, new int[0], 0.1);
    }

    public WarmupStepSchedule(double baseValue, int warmupIterations, double warmupFactor, int[] milestones,
                              double gamma) {
        if (!(baseValue > 0) || warmupIterations < 0 || !(warmupFactor > 0 && warmupFactor <= 1)
                || !(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("bad learning-rate schedule: base " + baseValue + ", warm-up "
                    + warmupIterations + " x " + warmupFactor + ", gamma " + gamma);
        }
        int[] sorted = milestones.clone();
        Arrays.sort(sorted);
        this.baseValue = baseValue;
        this.warmupIterations = warmupIterations;
        this.warmupFactor = warmupFactor;
        this.milestones = sorted;
        this.gamma = gamma;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double decay = 1.0;
        for (int m : milestones) {
            if (iteration >= m) {
                decay *= gamma;
            }
        }
        double warm = 1.0;
        if (iteration < warmupIterations) {
            double alpha = (double) iteration / warmupIterations;
            warm = warmupFactor * (1 - alpha) + alpha;
        }
        return baseValue * warm * decay;
    }

    @Override
    public ISchedule clone() {
        return new WarmupStepSchedule(baseValue, warmupIterations, warmupFactor, milestones, gamma);
    }

    public double baseValue() {
        return baseValue;
    }

    /** The iterations from which the rate is multiplied by gamma once more, in increasing order. */
    public int[] milestones() {
        return milestones.clone();
    }

    /** This schedule with other milestones. */
    public WarmupStepSchedule withMilestones(int[] newMilestones) {
        return new WarmupStepSchedule(baseValue, warmupIterations, warmupFactor, newMilestones, gamma);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupStepSchedule s && s.baseValue == baseValue
                && s.warmupIterations == warmupIterations && s.warmupFactor == warmupFactor
                && Arrays.equals(s.milestones, milestones) && s.gamma == gamma;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(baseValue) * 31 + warmupIterations;
    }

    @Override
    public String toString() {
        return "WarmupStepSchedule(base=" + baseValue + ", warmup=" + warmupIterations + "x" + warmupFactor
                + ", milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + ")";
    }
}
