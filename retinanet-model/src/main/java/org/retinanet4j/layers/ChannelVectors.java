package org.retinanet4j.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;

/**
 * Per-channel vectors (batch-norm parameters, statistics and their gradients) read into and written from Java
 * arrays straight through the float buffer: {@code toDoubleVector()} and {@code assign(createFromArray(..))}
 * make three or four short-lived native arrays per call, which a training step would multiply by every batch
 * norm (docs/benchmarks.md, "The optimiser step without per-step arrays"). Other arrays take ND4J's way.
 */
final class ChannelVectors {
    private ChannelVectors() {
    }

    static double[] read(INDArray v) {
        if (!direct(v)) {
            return v.toDoubleVector();
        }
        java.nio.FloatBuffer b = v.data().asNioFloat();
        int off = (int) v.offset();
        double[] out = new double[(int) v.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(off + i);
        }
        Reference.reachabilityFence(v); // the NIO view does not keep the array alive
        return out;
    }

    /** Writes {@code values} into {@code view} (same length), rounded to the view's type as a cast would. */
    static void write(INDArray view, double[] values) {
        if (view.length() != values.length) {
            throw new IllegalArgumentException("vector of " + view.length() + " values, got " + values.length);
        }
        if (!direct(view)) {
            view.assign(Nd4j.createFromArray(values).castTo(view.dataType()).reshape(view.shape()));
            return;
        }
        java.nio.FloatBuffer b = view.data().asNioFloat();
        int off = (int) view.offset();
        for (int i = 0; i < values.length; i++) {
            b.put(off + i, (float) values[i]);
        }
        Reference.reachabilityFence(view);
    }

    /** Float elements at offset() + i in the buffer, on the CPU. */
    private static boolean direct(INDArray v) {
        return v.dataType() == DataType.FLOAT && Nd4j.getEnvironment().isCPU() && v.isVectorOrScalar()
                && v.elementWiseStride() == 1 && v.offset() + v.length() <= v.data().asNioFloat().capacity();
    }
}
