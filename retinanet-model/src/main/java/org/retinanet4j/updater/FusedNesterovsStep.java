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
     * clipping would have done beforehand. Returns whether every update written is finite.
     */
    static boolean step(FloatBuffer g, int gOff, FloatBuffer v, int vOff, int from, int to, float lr, float momentum,
                        float divisor, float scale) {
        float momentumT = -momentum - 1;
        float nonFinite = 0f; // stays 0 unless an update is NaN or infinite (then 0 x it is NaN)
        for (int i = from; i < to; i++) {
            float gi = FusedUpdatePlan.divideAndScale(g.get(gOff + i), divisor, scale);
            float prev = momentum * v.get(vOff + i);
            float vi = prev - lr * gi;
            v.put(vOff + i, vi);
            float update = prev + momentumT * vi;
            g.put(gOff + i, update);
            nonFinite += update * 0f;
        }
        return nonFinite == 0f;
    }
}
