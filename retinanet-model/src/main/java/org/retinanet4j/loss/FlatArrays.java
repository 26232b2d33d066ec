package org.retinanet4j.loss;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Flat (C-order) access to the label, output and gradient buffers of the fused kernels, and the shape check they
 * share.
 * Contiguous float or double arrays are read in place (no copy): these run on every training step over
 * [N, A*K] arrays.
 * <p>
 * A native buffer's NIO view does not keep the array alive: once the array is unreachable, ND4J frees its memory
 * while the view still points there. A reader and a writer therefore hold their array, and the kernels use them
 * in try-with-resources, whose {@code close()} is a reachability fence.
 */
final class FlatArrays {

    private FlatArrays() {
    }

    /** Labels and network output must be 2D and of identical shape. */
    static void requireSameShape(String loss, INDArray labels, INDArray output) {
        if (labels == null) {
            throw new IllegalArgumentException(loss + ": labels are null");
        }
        if (labels.rank() != 2 || !Arrays.equals(labels.shape(), output.shape())) {
            throw new IllegalArgumentException(loss + ": labels shape " + Arrays.toString(labels.shape())
                    + " differs from the network output shape " + Arrays.toString(output.shape())
                    + " (both must be [minibatch, columns])");
        }
        if (labels.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(loss + ": more than 2^31 label values are not supported");
        }
    }

    /**
     * Read access in C order: flat index i is (i / columns, i % columns). Views and other types are read from a
     * copy that only the reader holds: close it after the last read.
     */
    static FlatValues read(INDArray a) {
        INDArray c = a;
        // a contiguous C-order region of its buffer (a reshaped or sliced view included) is read where it lies
        boolean inPlace = c.ordering() == 'c' && Shape.hasDefaultStridesForShape(c)
                && c.offset() + c.length() <= c.data().length()
                && (c.dataType() == DataType.FLOAT || c.dataType() == DataType.DOUBLE);
        if (!inPlace) {
            c = c.castTo(c.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT).dup('c');
        }
        // No-op on the CPU backend; on a GPU backend it brings the device data to the host the kernel reads.
        Nd4j.getAffinityManager().ensureLocation(c, AffinityManager.Location.HOST);
        int offset = (int) c.offset();
        int length = (int) c.length();
        return c.dataType() == DataType.DOUBLE ? new DoubleValues(c, c.data().asNioDouble().slice(offset, length))
                : new FloatValues(c, c.data().asNioFloat().slice(offset, length));
    }

    /** A new C-order array shaped and typed like {@code like} (float unless double), and a writer into it. */
    static INDArray newLike(INDArray like) {
        DataType type = like.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        return Nd4j.createUninitialized(type, like.shape(), 'c');
    }

    /** The kernel writes on the host; on a GPU backend the array must be marked as changed there. */
    static FlatWriter writer(INDArray fresh) {
        Nd4j.getAffinityManager().tagLocation(fresh, AffinityManager.Location.HOST);
        if (fresh.dataType() == DataType.DOUBLE) {
            return new DoubleWriter(fresh, fresh.data().asNioDouble());
        }
        return new FloatWriter(fresh, fresh.data().asNioFloat());
    }

    /** Per-example scores as the [N, 1] column DL4J expects, in the output's data type. */
    static INDArray column(double[] values, INDArray like) {
        DataType type = like.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        return Nd4j.createFromArray(values).castTo(type).reshape(values.length, 1);
    }

    /** "row r, column c" of a flat C-order index into [N, columns] labels. */
    static String position(long columns, long flatIndex) {
        return "row " + (flatIndex / columns) + ", column " + (flatIndex % columns);
    }

    /** Holds the array behind a buffer view until closed; {@code close()} is a reachability fence. */
    interface Held extends AutoCloseable {
        INDArray owner();

        @Override
        default void close() {
            Reference.reachabilityFence(owner());
        }
    }

    /** Read access to a contiguous buffer; {@code close()} ends it (the array may be freed after). */
    interface FlatValues extends Held {
        double get(int i);
    }

    /** Write access to a contiguous buffer; {@code close()} ends it. */
    interface FlatWriter extends Held {
        void set(int i, double v);
    }

    private record FloatValues(INDArray owner, FloatBuffer buffer) implements FlatValues {
        @Override
        public double get(int i) {
            return buffer.get(i);
        }
    }

    private record DoubleValues(INDArray owner, DoubleBuffer buffer) implements FlatValues {
        @Override
        public double get(int i) {
            return buffer.get(i);
        }
    }

    private record FloatWriter(INDArray owner, FloatBuffer buffer) implements FlatWriter {
        @Override
        public void set(int i, double v) {
            buffer.put(i, (float) v);
        }
    }

    private record DoubleWriter(INDArray owner, DoubleBuffer buffer) implements FlatWriter {
        @Override
        public void set(int i, double v) {
            buffer.put(i, v);
        }
    }
}
