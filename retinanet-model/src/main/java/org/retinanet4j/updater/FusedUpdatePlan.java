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
import org.nd4j.linalg.learning.NoOpUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

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
 * it by the minibatch size, and its updater block's Adam state or none) and the segments into tasks of at most
 * {@link #CHUNK} elements; {@link #apply} then runs DL4J's step over them without creating an array.
 */
final class FusedUpdatePlan {
    /** Elements per task: large enough to amortise scheduling, small enough to balance the cores. */
    static final int CHUNK = 1 << 16;

    record Result(FusedUpdatePlan plan, String reason) {
        static Result no(String reason) {
            return new Result(null, reason);
        }
    }

    /** One block's Adam: its updater and where element 0 of the block lives in the moment buffers. */
    private record AdamBlock(FusedAdamUpdater updater, int blockStart, FloatBuffer m, int mOff, FloatBuffer v,
                             int vOff) {
    }

    /** At most {@link #CHUNK} elements of one parameter: its layer, its Adam block (-1: none), whether divided. */
    private record Task(int layer, int adam, boolean divided, int from, int to) {
    }

    private final INDArray flat; // held: the buffer g does not keep the gradient array alive
    private final FloatBuffer g;
    private final int gBase;
    private final long address;
    private final AdamBlock[] adam;
    private final double[] clipThreshold; // per layer, NaN where the layer is not clipped
    private final Task[] tasks;
    private final Task[] clippedTasks;

    private FusedUpdatePlan(INDArray flat, long address, int gBase, AdamBlock[] adam, double[] clipThreshold,
                            List<Task> tasks) {
        this.flat = flat;
        this.g = flat.data().asNioFloat();
        this.address = address;
        this.gBase = gBase;
        this.adam = adam;
        this.clipThreshold = clipThreshold;
        this.tasks = tasks.toArray(new Task[0]);
        this.clippedTasks = tasks.stream().filter(t -> !Double.isNaN(clipThreshold[t.layer()])).toArray(Task[]::new);
    }

    /**
     * The plan for these layers and blocks, or why DL4J's own update has to run: only Adam ({@link
     * FusedAdamUpdater}) and no-op blocks, no regularisation, no gradient normalisation but {@code
     * ClipL2PerLayer}, float arrays on the CPU.
     */
    static Result of(Trainable[] ordered, List<UpdaterBlock> blocks, INDArray flat, Gradient gradient) {
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
        int gBase = (int) flat.offset();
        List<AdamBlock> adam = new ArrayList<>();
        List<Task> tasks = new ArrayList<>();
        for (UpdaterBlock ub : blocks) {
            if (ub.isPretrainUpdaterBlock()) {
                return Result.no("a pretraining block");
            }
            if (ub.getGradientUpdater() == null) {
                ub.init();
            }
            GradientUpdater<?> u = ub.getGradientUpdater();
            int adamIndex = -1;
            if (u instanceof FusedAdamUpdater fa) {
                INDArray m = fa.getM();
                INDArray v = fa.getV();
                int length = ub.getParamOffsetEnd() - ub.getParamOffsetStart();
                if (m == null || v == null || m.length() != length
                        || !FusedAdamUpdater.fusable(m, m, v)) {
                    return Result.no("Adam state not contiguous floats");
                }
                adamIndex = adam.size();
                adam.add(new AdamBlock(fa, ub.getParamOffsetStart(), m.data().asNioFloat(), (int) m.offset(),
                        v.data().asNioFloat(), (int) v.offset()));
            } else if (!(u instanceof NoOpUpdater)) {
                return Result.no("updater " + u.getClass().getSimpleName());
            }
            for (UpdaterBlock.ParamState ps : ub.getLayersAndVariablesInBlock()) {
                Trainable layer = ps.getLayer();
                Integer li = layerIndex.get(layer);
                if (li == null) {
                    return Result.no("a parameter outside the ordered layers");
                }
                List<Regularization> reg = layer.getConfig().getRegularizationByParam(ps.getParamName());
                if (reg != null && !reg.isEmpty()) {
                    return Result.no("regularisation on " + layer.getConfig().getLayerName() + "_"
                            + ps.getParamName());
                }
                boolean divided = layer.updaterDivideByMinibatch(ps.getParamName());
                covered[li] += ps.getParamOffsetEnd() - ps.getParamOffsetStart();
                for (int from = ps.getParamOffsetStart(); from < ps.getParamOffsetEnd(); from += CHUNK) {
                    tasks.add(new Task(li, adamIndex, divided, from, Math.min(ps.getParamOffsetEnd(), from + CHUNK)));
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
        return new Result(new FusedUpdatePlan(flat, flat.data().address(), gBase, adam.toArray(new AdamBlock[0]), clip,
                tasks), null);
    }

    /** Whether this plan was made for {@code flat}'s memory. */
    boolean reads(INDArray flat) {
        return flat.data().address() == address && (int) flat.offset() == gBase;
    }

    /**
     * DL4J's update: divide by {@code batchSize} (0: not at all), clip per layer, Adam per block. Returns whether
     * every value left in the gradient (what DL4J subtracts from the parameters) is finite.
     */
    boolean apply(int iteration, int epoch, int batchSize) {
        float divisor = batchSize;
        float[] scale = clippingScales(divisor);
        FusedAdamUpdater.Coefficients[] coefficients = new FusedAdamUpdater.Coefficients[adam.length];
        for (int b = 0; b < adam.length; b++) {
            coefficients[b] = adam[b].updater().coefficients(iteration, epoch);
        }
        return Arrays.stream(tasks).parallel().map(t -> {
            float d = t.divided() ? divisor : 0f;
            float s = scale[t.layer()];
            if (t.adam() >= 0) {
                AdamBlock blk = adam[t.adam()];
                int base = blk.blockStart();
                return FusedAdamUpdater.step(g, gBase + base, blk.m(), blk.mOff(), blk.v(), blk.vOff(),
                        t.from() - base, t.to() - base, coefficients[t.adam()], d, s);
            }
            return rescale(t.from(), t.to(), d, s);
        }).reduce(true, Boolean::logicalAnd);
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
            boolean divide = t.divided() && divisor != 0f;
            double sum = 0;
            for (int j = t.from(); j < t.to(); j++) {
                float x = g.get(gBase + j);
                if (divide) {
                    x = x / divisor;
                }
                sum += (double) x * x;
            }
            partial[i] = sum;
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

    /** A no-op block's part: divided and rescaled as DL4J would (if at all); whether every value is finite. */
    private boolean rescale(int from, int to, float divisor, float scale) {
        boolean change = divisor != 0f || scale != 1f;
        float nonFinite = 0f;
        for (int j = from; j < to; j++) {
            float x = g.get(gBase + j);
            if (change) {
                if (divisor != 0f) {
                    x = x / divisor;
                }
                if (scale != 1f) {
                    x = x * scale;
                }
                g.put(gBase + j, x);
            }
            nonFinite += x * 0f;
        }
        return nonFinite == 0f;
    }

    @Override
    public String toString() {
        int clipped = 0;
        for (double c : clipThreshold) {
            clipped += Double.isNaN(c) ? 0 : 1;
        }
        return adam.length + " Adam blocks, " + clipped + " clipped layers, " + tasks.length + " tasks";
    }
}
