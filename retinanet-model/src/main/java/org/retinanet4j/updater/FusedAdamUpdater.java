package org.retinanet4j.updater;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Adam's step for {@link FusedAdam}, computed as libnd4j's {@code adam_updater} computes it, in the same float
 * operations and order, so the updates and moments are the same numbers. libnd4j runs it as a scalar loop whose
 * square roots and divisions wait on one another; here independent chunks of the contiguous arrays go to all
 * cores (docs/benchmarks.md, "Optimiser step"). Arrays that are not float, not contiguous or not on the CPU take
 * ND4J's own path.
 */
public class FusedAdamUpdater extends AdamUpdater {
    /** Elements per task: large enough to amortise scheduling, small enough to balance the cores. */
    private static final int CHUNK = 1 << 16;

    public FusedAdamUpdater(FusedAdam config) {
        super(config);
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        INDArray m = getM();
        INDArray v = getV();
        if (m == null || v == null) {
            throw new IllegalStateException("Updater has not been initialized with view state");
        }
        if (!fusable(gradient, m, v)) {
            super.applyUpdater(gradient, iteration, epoch);
            return;
        }
        Coefficients c = coefficients(iteration, epoch);
        FloatBuffer g = gradient.data().asNioFloat();
        FloatBuffer mb = m.data().asNioFloat();
        FloatBuffer vb = v.data().asNioFloat();
        int gOff = (int) gradient.offset();
        int mOff = (int) m.offset();
        int vOff = (int) v.offset();
        int n = (int) gradient.length();
        int tasks = (n + CHUNK - 1) / CHUNK;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int from = t * CHUNK;
            step(g, gOff, mb, mOff, vb, vOff, from, Math.min(n, from + CHUNK), c, 0f, 1f);
        });
        Reference.reachabilityFence(gradient); // the NIO view does not keep the array alive
    }

    /** Adam's constants for one iteration, in libnd4j's arithmetic. */
    record Coefficients(float beta1, float beta2, float stepSize, float epsilon) {
    }

    Coefficients coefficients(int iteration, int epoch) {
        // libnd4j's arithmetic: every value a float, the bias correction's last division in double
        float lr = (float) getConfig().getLearningRate(iteration, epoch);
        float beta1 = (float) getConfig().getBeta1();
        float beta2 = (float) getConfig().getBeta2();
        float epsilon = (float) getConfig().getEpsilon();
        float power = (float) iteration + 1f;
        float beta1T = (float) Math.pow(beta1, power);
        float beta2T = (float) Math.pow(beta2, power);
        float stepSize = (float) ((lr * (float) Math.sqrt((float) (1.0 - beta2T))) / (1.0 - beta1T));
        if (Float.isNaN(stepSize) || Float.isInfinite(stepSize) || stepSize == 0) {
            stepSize = epsilon;
        }
        return new Coefficients(beta1, beta2, stepSize, epsilon);
    }

    /**
     * Adam on elements {@code [from, to)}, the update written over the gradient. Each gradient value is first
     * divided by {@code divisor} (unless it is 0) and then multiplied by {@code scale} (unless it is 1), in float,
     * as DL4J's division by the minibatch size and its per-layer clipping would have done beforehand. Returns
     * whether every update written is finite. The values are copied in blocks into per-thread arrays
     * ({@link UpdaterBlocks}), where the loop vectorises; the arithmetic per element is the same.
     */
    static boolean step(FloatBuffer g, int gOff, FloatBuffer m, int mOff, FloatBuffer v, int vOff, int from, int to,
                     Coefficients c, float divisor, float scale) {
        float beta1 = c.beta1();
        float beta2 = c.beta2();
        float stepSize = c.stepSize();
        float epsilon = c.epsilon();
        float keep1 = 1 - beta1;
        float keep2 = 1 - beta2;
        float[][] t = UpdaterBlocks.scratch();
        float[] gs = t[0];
        float[] ms = t[1];
        float[] vs = t[2];
        boolean finite = true;
        for (int j0 = from; j0 < to; j0 += UpdaterBlocks.BLOCK) {
            int len = Math.min(UpdaterBlocks.BLOCK, to - j0);
            g.get(gOff + j0, gs, 0, len);
            m.get(mOff + j0, ms, 0, len);
            v.get(vOff + j0, vs, 0, len);
            for (int j = 0; j < len; j++) {
                float gi = FusedUpdatePlan.divideAndScale(gs[j], divisor, scale);
                float mi = beta1 * ms[j] + gi * keep1;
                float vi = beta2 * vs[j] + gi * gi * keep2;
                ms[j] = mi;
                vs[j] = vi;
                gs[j] = (mi * stepSize) / ((float) Math.sqrt(vi) + epsilon);
            }
            m.put(mOff + j0, ms, 0, len);
            v.put(vOff + j0, vs, 0, len);
            g.put(gOff + j0, gs, 0, len);
            finite &= UpdaterBlocks.allFinite(gs, len);
        }
        return finite;
    }

    /** Contiguous float vectors of one length on the CPU: element i of each is at offset() + i. */
    static boolean fusable(INDArray gradient, INDArray m, INDArray v) {
        if (!Nd4j.getEnvironment().isCPU() || gradient.length() != m.length() || gradient.length() != v.length()
                || gradient.length() > Integer.MAX_VALUE - CHUNK) {
            return false;
        }
        for (INDArray a : new INDArray[]{gradient, m, v}) {
            if (a.dataType() != DataType.FLOAT || !a.isVectorOrScalar() || a.elementWiseStride() != 1
                    || a.offset() + a.length() > a.data().asNioFloat().capacity()) {
                return false;
            }
        }
        return true;
    }
}
