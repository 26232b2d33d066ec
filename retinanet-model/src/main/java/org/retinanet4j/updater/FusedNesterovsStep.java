package org.retinanet4j.updater;

import java.nio.FloatBuffer;

/**
 * libnd4j's {@code nesterovs_updater} (DL4J's {@code NesterovsUpdater}) in float arithmetic, element by element as
 * libnd4j computes it: {@code prev = momentum * v; v = prev - lr * g; update = prev + (-momentum - 1) * v}, the
 * update written over the gradient and subtracted from the parameters by DL4J.
 */
final class FusedNesterovsStep {
    private FusedNesterovsStep() {
    }

    /**
     * Elements {@code [from, to)}: each gradient value first divided by {@code divisor} (unless it is 0) and then
     * multiplied by {@code scale} (unless it is 1), as DL4J's division by the minibatch size and its per-layer
     * clipping would have done beforehand. Returns whether every update written is finite. Copied in blocks into
     * per-thread arrays ({@link UpdaterBlocks}), where the loop vectorises; the arithmetic per element is the same.
     */
    static boolean step(FloatBuffer g, int gOff, FloatBuffer v, int vOff, int from, int to, float lr, float momentum,
                        float divisor, float scale) {
        float momentumT = -momentum - 1;
        float[][] t = UpdaterBlocks.scratch();
        float[] gs = t[0];
        float[] vs = t[1];
        boolean finite = true;
        for (int j0 = from; j0 < to; j0 += UpdaterBlocks.BLOCK) {
            int len = Math.min(UpdaterBlocks.BLOCK, to - j0);
            g.get(gOff + j0, gs, 0, len);
            v.get(vOff + j0, vs, 0, len);
            for (int j = 0; j < len; j++) {
                float gi = FusedUpdatePlan.divideAndScale(gs[j], divisor, scale);
                float prev = momentum * vs[j];
                float vi = prev - lr * gi;
                vs[j] = vi;
                gs[j] = prev + momentumT * vi;
            }
            v.put(vOff + j0, vs, 0, len);
            g.put(gOff + j0, gs, 0, len);
            finite &= UpdaterBlocks.allFinite(gs, len);
        }
        return finite;
    }
}
