package org.retinanet4j.updater;

import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.NesterovsUpdater;
import org.nd4j.linalg.learning.NoOpUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The flat gradient cut, once, into segments (one parameter of one layer: its clipping layer, whether DL4J divides
 * it by the minibatch size, its updater block's Adam or Nesterov state or none, and its weight decay) and the
 * segments into tasks of at most {@link #CHUNK} elements; {@link #apply} then runs DL4J's step over them without
 * creating an array.
 */
final class FusedUpdatePlan {
    /** Elements per task: large enough to amortise scheduling, small enough to balance the cores. */
    static final int CHUNK = 1 << 16;

    record Result(FusedUpdatePlan plan, String reason) {
        static Result no(String reason) {
            return new Result(null, reason);
        }
    }

    /** One updater block's state; {@link #prepare} fixes its constants for one iteration. */
    private sealed interface Block permits AdamBlock, NesterovBlock {
        BlockStep prepare(int iteration, int epoch);
    }

    /**
     * A block's step over flat elements {@code [from, to)}: divided by {@code divisor} (0: not), multiplied by
     * {@code scale} (1: not), the update written over the gradient; whether every update is finite.
     */
    private interface BlockStep {
        boolean run(FloatBuffer g, int gBase, int from, int to, float divisor, float scale);
    }

    /** One block's Adam: its updater and where element 0 of the block lives in the moment buffers. */
    private record AdamBlock(FusedAdamUpdater updater, int blockStart, FloatBuffer m, int mOff, FloatBuffer v,
                             int vOff) implements Block {
        @Override
        public BlockStep prepare(int iteration, int epoch) {
            FusedAdamUpdater.Coefficients c = updater.coefficients(iteration, epoch);
            return (g, gBase, from, to, divisor, scale) -> FusedAdamUpdater.step(g, gBase + blockStart, m, mOff, v,
                    vOff, from - blockStart, to - blockStart, c, divisor, scale);
        }
    }

    /** One block's Nesterov momentum (DL4J's {@link NesterovsUpdater}): its settings and its velocity buffer. */
    private record NesterovBlock(Nesterovs config, int blockStart, FloatBuffer v, int vOff) implements Block {
        @Override
        public BlockStep prepare(int iteration, int epoch) {
            float lr = (float) config.getLearningRate(iteration, epoch);
            float momentum = (float) config.currentMomentum(iteration, epoch);
            return (g, gBase, from, to, divisor, scale) -> FusedNesterovsStep.step(g, gBase + blockStart, v, vOff,
                    from - blockStart, to - blockStart, lr, momentum, divisor, scale);
        }
    }

    /**
     * DL4J's {@link WeightDecay} of one parameter, applied after the updater: {@code update += s * param} with
     * {@code s = coefficient (x learning rate where the decay applies it)}.
     */
    private record Decay(WeightDecay decay, IUpdater updater) {
        float scale(int iteration, int epoch) {
            double s = decay.getCoeff().valueAt(iteration, epoch);
            if (decay.isApplyLR()) {
                s *= updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : 1.0;
            }
            return (float) s;
        }
    }

    /**
     * At most {@link #CHUNK} elements of one parameter: its layer, its block (-1: a no-op block), whether divided,
     * its weight decay (-1: none).
     */
    private record Task(int layer, int block, boolean divided, int decay, int from, int to) {
    }

    private final INDArray flat; // held: the buffers g and p do not keep their arrays alive
    private final INDArray params;
    private final FloatBuffer g;
    private final int gBase;
    private final FloatBuffer p;
    private final int pBase;
    private final Block[] blocks;
    private final Decay[] decays;
    private final double[] clipThreshold; // per layer, NaN where the layer is not clipped
    private final Task[] tasks;
    private final Task[] clippedTasks;

    private FusedUpdatePlan(INDArray flat, INDArray params, Block[] blocks, Decay[] decays, double[] clipThreshold,
                            List<Task> tasks) {
        this.flat = flat;
        this.params = params;
        this.g = flat.data().asNioFloat();
        this.gBase = (int) flat.offset();
        this.p = params == null ? null : params.data().asNioFloat();
        this.pBase = params == null ? 0 : (int) params.offset();
        this.blocks = blocks;
        this.decays = decays;
        this.clipThreshold = clipThreshold;
        this.tasks = tasks.toArray(new Task[0]);
        this.clippedTasks = tasks.stream().filter(t -> !Double.isNaN(clipThreshold[t.layer()])).toArray(Task[]::new);
    }

    /**
     * The plan for these layers and blocks, or why DL4J's own update has to run: only Adam ({@link
     * FusedAdamUpdater}), Nesterov momentum and no-op blocks, no regularisation but one {@link WeightDecay} per
     * parameter, no gradient normalisation but {@code ClipL2PerLayer}, float arrays on the CPU. {@code params} is
     * the graph's flat parameter vector (read for the weight decay).
     */
    static Result of(Trainable[] ordered, List<UpdaterBlock> blocks, INDArray flat, INDArray params,
                     Gradient gradient) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return Result.no("not on the CPU backend");
        }
        if (flat == null || flat.dataType() != DataType.FLOAT || !flat.isVectorOrScalar()
                || flat.elementWiseStride() != 1 || flat.length() > Integer.MAX_VALUE - CHUNK) {
            return Result.no("the gradient is not one contiguous float vector");
        }
        Map<Trainable, Integer> layerIndex = new IdentityHashMap<>();
        for (Trainable t : ordered) {
            layerIndex.put(t, layerIndex.size());
        }
        Set<String> layersWithGradients = new HashSet<>();
        for (String key : gradient.gradientForVariable().keySet()) {
            int cut = key.lastIndexOf('_');
            layersWithGradients.add(cut < 0 ? key : key.substring(0, cut));
        }
        double[] clip = new double[ordered.length];
        long[] covered = new long[ordered.length];
        for (int i = 0; i < ordered.length; i++) {
            clip[i] = Double.NaN;
            TrainingConfig c = ordered[i].getConfig();
            if (c == null || ordered[i].numParams() == 0 || !layersWithGradients.contains(c.getLayerName())) {
                continue; // DL4J's preApply skips these
            }
            GradientNormalization gn = c.getGradientNormalization();
            if (gn == GradientNormalization.ClipL2PerLayer) {
                clip[i] = c.getGradientNormalizationThreshold();
            } else if (gn != null && gn != GradientNormalization.None) {
                return Result.no("gradient normalisation " + gn + " in " + c.getLayerName());
            }
        }
        List<Block> planned = new ArrayList<>();
        List<Decay> decays = new ArrayList<>();
        List<Task> tasks = new ArrayList<>();
        for (UpdaterBlock ub : blocks) {
            if (ub.isPretrainUpdaterBlock()) {
                return Result.no("a pretraining block");
            }
            if (ub.getGradientUpdater() == null) {
                ub.init();
            }
            GradientUpdater<?> u = ub.getGradientUpdater();
            int length = ub.getParamOffsetEnd() - ub.getParamOffsetStart();
            int blockIndex = planned.size();
            if (u instanceof FusedAdamUpdater fa) {
                INDArray m = fa.getM();
                INDArray v = fa.getV();
                if (m == null || v == null || m.length() != length
                        || !FusedAdamUpdater.fusable(m, m, v)) {
                    return Result.no("Adam state not contiguous floats");
                }
                planned.add(new AdamBlock(fa, ub.getParamOffsetStart(), m.data().asNioFloat(), (int) m.offset(),
                        v.data().asNioFloat(), (int) v.offset()));
            } else if (u instanceof NesterovsUpdater nu) {
                INDArray v = nu.getState().get(NesterovsUpdater.V_STATE);
                if (v == null || v.length() != length || !FusedAdamUpdater.fusable(v, v, v)) {
                    return Result.no("Nesterov state not contiguous floats");
                }
                planned.add(new NesterovBlock(nu.getConfig(), ub.getParamOffsetStart(), v.data().asNioFloat(),
                        (int) v.offset()));
            } else if (u instanceof NoOpUpdater) {
                blockIndex = -1;
            } else {
                return Result.no("updater " + u.getClass().getSimpleName());
            }
            for (UpdaterBlock.ParamState ps : ub.getLayersAndVariablesInBlock()) {
                Trainable layer = ps.getLayer();
                Integer li = layerIndex.get(layer);
                if (li == null) {
                    return Result.no("a parameter outside the ordered layers");
                }
                List<Regularization> reg = layer.getConfig().getRegularizationByParam(ps.getParamName());
                int decay = -1;
                if (reg != null && !reg.isEmpty()) {
                    if (reg.size() != 1 || !(reg.get(0) instanceof WeightDecay wd) || blockIndex < 0
                            || params == null) {
                        return Result.no("regularisation " + reg + " on " + layer.getConfig().getLayerName() + "_"
                                + ps.getParamName());
                    }
                    decay = decays.size();
                    decays.add(new Decay(wd, u.getConfig()));
                }
                boolean divided = layer.updaterDivideByMinibatch(ps.getParamName());
                covered[li] += ps.getParamOffsetEnd() - ps.getParamOffsetStart();
                for (int from = ps.getParamOffsetStart(); from < ps.getParamOffsetEnd(); from += CHUNK) {
                    tasks.add(new Task(li, blockIndex, divided, decay, from,
                            Math.min(ps.getParamOffsetEnd(), from + CHUNK)));
                }
            }
        }
        for (int i = 0; i < ordered.length; i++) {
            INDArray view = ordered[i].getGradientsViewArray();
            long length = view == null ? 0 : view.length();
            if (!Double.isNaN(clip[i]) && length != covered[i]) {
                // clipping takes the norm of the layer's whole view: the blocks must hold exactly that view
                return Result.no("the blocks do not cover " + ordered[i].getConfig().getLayerName()
                        + "'s gradient view");
            }
        }
        if (!decays.isEmpty() && (params.dataType() != DataType.FLOAT || !params.isVectorOrScalar()
                || params.elementWiseStride() != 1 || params.length() != flat.length())) {
            return Result.no("the parameters are not one contiguous float vector like the gradient");
        }
        return new Result(new FusedUpdatePlan(flat, decays.isEmpty() ? null : params, planned.toArray(new Block[0]),
                decays.toArray(new Decay[0]), clip, tasks), null);
    }

    /** Whether this plan was made for the memory of {@code flat} (and of {@code params}, where it decays weights). */
    boolean reads(INDArray flat, INDArray params) {
        return flat.data().address() == this.flat.data().address() && (int) flat.offset() == gBase
                && (this.params == null || params.data().address() == this.params.data().address()
                && (int) params.offset() == pBase);
    }

    /**
     * DL4J's update: divide by {@code batchSize} (0: not at all), clip per layer, the updater per block, weight
     * decay per parameter. Returns whether every value left in the gradient (what DL4J subtracts from the
     * parameters) is finite.
     */
    boolean apply(int iteration, int epoch, int batchSize) {
        float divisor = batchSize;
        float[] scale = clippingScales(divisor);
        BlockStep[] steps = new BlockStep[blocks.length];
        for (int b = 0; b < blocks.length; b++) {
            steps[b] = blocks[b].prepare(iteration, epoch);
        }
        float[] decayScale = new float[decays.length];
        for (int d = 0; d < decays.length; d++) {
            decayScale[d] = decays[d].scale(iteration, epoch);
        }
        return Arrays.stream(tasks).parallel().map(t -> {
            float d = t.divided() ? divisor : 0f;
            float s = scale[t.layer()];
            if (t.block() < 0) {
                return rescale(t.from(), t.to(), d, s);
            }
            boolean finite = steps[t.block()].run(g, gBase, t.from(), t.to(), d, s);
            return t.decay() < 0 ? finite : decay(t.from(), t.to(), decayScale[t.decay()]);
        }).reduce(true, Boolean::logicalAnd);
    }

    /**
     * DL4J's {@code WeightDecay} after the updater ({@code Axpy}: update = s * param + update, in float) on
     * elements {@code [from, to)}, still in cache from the updater's pass; whether every update is finite.
     */
    private boolean decay(int from, int to, float s) {
        float[][] t = UpdaterBlocks.scratch();
        float[] ps = t[0];
        float[] us = t[1];
        boolean finite = true;
        for (int j0 = from; j0 < to; j0 += UpdaterBlocks.BLOCK) {
            int len = Math.min(UpdaterBlocks.BLOCK, to - j0);
            p.get(pBase + j0, ps, 0, len);
            g.get(gBase + j0, us, 0, len);
            for (int j = 0; j < len; j++) {
                us[j] = s * ps[j] + us[j];
            }
            g.put(gBase + j0, us, 0, len);
            finite &= UpdaterBlocks.allFinite(us, len);
        }
        return finite;
    }

    /** Per layer, DL4J's ClipL2PerLayer factor of the divided gradient (1 where not clipped or within bounds). */
    private float[] clippingScales(float divisor) {
        float[] scale = new float[clipThreshold.length];
        Arrays.fill(scale, 1f);
        if (clippedTasks.length == 0) {
            return scale;
        }
        double[] partial = new double[clippedTasks.length];
        IntStream.range(0, clippedTasks.length).parallel().forEach(i -> {
            Task t = clippedTasks[i];
            partial[i] = sumOfSquares(t.from(), t.to(), t.divided() && divisor != 0f ? divisor : 1f);
        });
        double[] squares = new double[clipThreshold.length];
        for (int i = 0; i < clippedTasks.length; i++) {
            squares[clippedTasks[i].layer()] += partial[i];
        }
        for (int l = 0; l < clipThreshold.length; l++) {
            if (!Double.isNaN(clipThreshold[l])) {
                double l2 = (float) Math.sqrt(squares[l]); // DL4J's norm2Number is a float
                if (l2 > clipThreshold[l]) {
                    scale[l] = (float) (clipThreshold[l] / l2);
                }
            }
        }
        return scale;
    }

    /**
     * The sum of {@code (g / divisor)^2} over elements {@code [from, to)} in double, the quotient in float as DL4J
     * divides (a divisor of 1 leaves the values as they are): copied in blocks, divided in a loop that vectorises,
     * and summed in eight sums so that the additions do not wait on one another (faster than four sums with the
     * division inside: docs/benchmarks.md). The order differs from one running sum only in the double's last bits,
     * below the float norm DL4J's clipping compares.
     */
    private double sumOfSquares(int from, int to, float divisor) {
        float[] xs = UpdaterBlocks.scratch()[0];
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        for (int j0 = from; j0 < to; j0 += UpdaterBlocks.BLOCK) {
            int len = Math.min(UpdaterBlocks.BLOCK, to - j0);
            g.get(gBase + j0, xs, 0, len);
            if (divisor != 1f) {
                for (int j = 0; j < len; j++) {
                    xs[j] = xs[j] / divisor;
                }
            }
            int j = 0;
            for (; j + 8 <= len; j += 8) {
                double x0 = xs[j];
                double x1 = xs[j + 1];
                double x2 = xs[j + 2];
                double x3 = xs[j + 3];
                double x4 = xs[j + 4];
                double x5 = xs[j + 5];
                double x6 = xs[j + 6];
                double x7 = xs[j + 7];
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
                s4 += x4 * x4;
                s5 += x5 * x5;
                s6 += x6 * x6;
                s7 += x7 * x7;
            }
            for (; j < len; j++) {
                double x = xs[j];
                s0 += x * x;
            }
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * What DL4J does to a gradient value before the updater: divided by the minibatch size (unless {@code divisor}
     * is 0), then multiplied by the layer's clipping factor (unless {@code scale} is 1), in float.
     */
    static float divideAndScale(float g, float divisor, float scale) {
        if (divisor != 0f) {
            g = g / divisor;
        }
        if (scale != 1f) {
            g = g * scale;
        }
        return g;
    }

    /** A no-op block's part: divided and rescaled as DL4J would (if at all); whether every value is finite. */
    private boolean rescale(int from, int to, float divisor, float scale) {
        boolean change = divisor != 0f || scale != 1f;
        float[] xs = UpdaterBlocks.scratch()[0];
        boolean finite = true;
        for (int j0 = from; j0 < to; j0 += UpdaterBlocks.BLOCK) {
            int len = Math.min(UpdaterBlocks.BLOCK, to - j0);
            g.get(gBase + j0, xs, 0, len);
            if (change) {
                for (int j = 0; j < len; j++) {
                    xs[j] = divideAndScale(xs[j], divisor, scale);
                }
                g.put(gBase + j0, xs, 0, len);
            }
            finite &= UpdaterBlocks.allFinite(xs, len);
        }
        return finite;
    }

    @Override
    public String toString() {
        int clipped = 0;
        for (double c : clipThreshold) {
            clipped += Double.isNaN(c) ? 0 : 1;
        }
        long adam = Arrays.stream(blocks).filter(b -> b instanceof AdamBlock).count();
        return adam + " Adam blocks, " + (blocks.length - adam) + " Nesterov blocks, " + decays.length
                + " weight decays, " + clipped + " clipped layers, " + tasks.length + " tasks";
    }
}
