package org.retinanet4j.train;

import java.time.Duration;

/**
 * How to train: optimiser and learning-rate schedule, clipping, length, checkpoints, workers and guards.
 * Build with {@link #builder()}; defaults follow the paper (SGD momentum 0.9, weight decay 1e-4, 0.01 per 16
 * images, linear warm-up from 1/1000 over 500 iterations, x0.1 at each milestone). The optimiser settings are
 * the only ones a training run uses ({@link OptimizationRecipe}); a {@link Trainer} also needs a length
 * (iterations, epochs or a time limit).
 */
public record TrainerConfig(OptimizerKind optimizer, double learningRate, double momentum, double weightDecay,
                            int warmupIterations, double warmupFactor, int[] milestones, double gamma,
                            double gradientClipL2, int maxIterations, int maxEpochs, Duration maxDuration,
                            int checkpointEvery, int keepLast, int workers, NonFinitePolicy nonFinitePolicy,
                            int validationEvery, long seed, boolean fitMilestonesToTime) {

    /** The paper's learning rate per 16 images. */
    public static final double PAPER_LR_PER_16_IMAGES = 0.01;

    public TrainerConfig {
        milestones = milestones.clone();
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
    }

    /** Linear scaling rule (Goyal et al.): {@code lrPer16 * totalBatch / 16}. */
    public static double scaledLearningRate(double lrPer16, int totalBatch) {
        return lrPer16 * totalBatch / 16.0;
    }

    /** Whether the run has an end: a number of iterations, epochs or a time limit. */
    public boolean hasLength() {
        return maxIterations > 0 || maxEpochs > 0 || maxDuration != null;
    }

    public WarmupStepSchedule schedule() {
        return new WarmupStepSchedule(learningRate, warmupIterations, warmupFactor, milestones, gamma);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder with the paper's defaults. */
    public static final class Builder {
        private OptimizerKind optimizer = OptimizerKind.SGD;
        private double learningRate = PAPER_LR_PER_16_IMAGES;
        private double momentum = 0.9;
        private double weightDecay = 1e-4;
        private int warmupIterations = 500;
        private double warmupFactor = 1.0 / 1000;
        private int[] milestones = new int[0];
        private double gamma = 0.1;
        private double gradientClipL2 = 10.0;
        private int maxIterations;
        private int maxEpochs;
        private Duration maxDuration;
        private int checkpointEvery;
        private int keepLast = 3;
        private int workers = 1;
        private NonFinitePolicy nonFinitePolicy = NonFinitePolicy.STOP;
        private int validationEvery;
        private long seed = 42;
        private boolean fitMilestonesToTime;

        public Builder optimizer(OptimizerKind v) { optimizer = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder warmup(int iterations, double factor) { warmupIterations = iterations; warmupFactor = factor; return this; }
        public Builder stepDecay(double gammaValue, int... atIterations) { gamma = gammaValue; milestones = atIterations; return this; }
        /** Per-layer L2 gradient-norm clipping threshold; 0 turns clipping off. */
        public Builder gradientClipL2(double v) { gradientClipL2 = v; return this; }
        public Builder maxIterations(int v) { maxIterations = v; return this; }
        public Builder maxEpochs(int v) { maxEpochs = v; return this; }
        public Builder maxDuration(Duration v) { maxDuration = v; return this; }
        /** Checkpoint every this many iterations (0: only at the end, when a checkpoint folder is given). */
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder keepLast(int v) { keepLast = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder nonFinitePolicy(NonFinitePolicy v) { nonFinitePolicy = v; return this; }
        /** Run the validation hook every this many iterations (0: only at the end). */
        public Builder validationEvery(int v) { validationEvery = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        /**
         * With both an iteration count and a time limit, move the milestones with the projected length of the run
         * when the time limit would stop it first (so a slow machine still decays the learning rate before it
         * stops; {@link TimeFittedMilestones}). Off by default: the schedule then depends on the iteration alone.
         */
        public Builder fitMilestonesToTime(boolean v) { fitMilestonesToTime = v; return this; }

        public TrainerConfig build() {
            return new TrainerConfig(optimizer, learningRate, momentum, weightDecay, warmupIterations, warmupFactor,
                    milestones, gamma, gradientClipL2, maxIterations, maxEpochs, maxDuration, checkpointEvery,
                    keepLast, workers, nonFinitePolicy, validationEvery, seed, fitMilestonesToTime);
        }
    }
}
