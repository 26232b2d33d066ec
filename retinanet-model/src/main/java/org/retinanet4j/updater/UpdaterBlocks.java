package org.retinanet4j.updater;

/**
 * Per-thread blocks the fused optimiser steps copy their values into: loops over Java arrays vectorise, loops over
 * NIO buffers element by element do not, and the results stay bit-identical (docs/benchmarks.md, "Batch norm without
 * its output, optimiser steps over blocks").
 */
final class UpdaterBlocks {
    /** Values per block: three blocks stay well inside a core's L1 and L2 caches. */
    static final int BLOCK = 2048;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][BLOCK]);

    private UpdaterBlocks() {
    }

    /** Three blocks of {@link #BLOCK} floats owned by the calling thread. */
    static float[][] scratch() {
        return SCRATCH.get();
    }

    /**
     * Whether the first {@code len} values are all finite: {@code x * 0} is 0 for a finite value and NaN otherwise,
     * so the sum is 0 exactly when all are, in any order; four sums let the additions overlap.
     */
    static boolean allFinite(float[] values, int len) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = 0;
        for (; j + 4 <= len; j += 4) {
            s0 += values[j] * 0f;
            s1 += values[j + 1] * 0f;
            s2 += values[j + 2] * 0f;
            s3 += values[j + 3] * 0f;
        }
        for (; j < len; j++) {
            s0 += values[j] * 0f;
        }
        return s0 + s1 + s2 + s3 == 0f;
    }
}
