package org.retinanet4j.loss;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Cheap input checks shared by the losses. They run on every training step over [N, A*K] labels, so they make
 * one pass over the label buffer and allocate nothing for the usual contiguous float or double arrays.
 */
final class LabelChecks {

    private LabelChecks() {
    }

    /** Labels and network output must be 2D and of identical shape. */
    static void requireSameShape(String loss, INDArray labels, INDArray preOutput) {
        if (labels == null) {
            throw new IllegalArgumentException(loss + ": labels are null");
        }
        if (labels.rank() != 2 || !Arrays.equals(labels.shape(), preOutput.shape())) {
            throw new IllegalArgumentException(loss + ": labels shape " + Arrays.toString(labels.shape())
                    + " differs from the network output shape " + Arrays.toString(preOutput.shape())
                    + " (both must be [minibatch, columns])");
        }
    }

    /** Labels as a flat sequence of doubles in C order: row-major, so flat index i is (i / columns, i % columns). */
    static FlatValues flat(INDArray labels) {
        INDArray a = labels;
        boolean plain = a.ordering() == 'c' && !a.isView() && a.data().length() == a.length()
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
        if (!plain) {
            a = a.castTo(a.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT).dup('c');
        }
        if (a.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("labels with more than 2^31 elements are not supported");
        }
        return a.dataType() == DataType.DOUBLE ? new DoubleValues(a.data().asNioDouble())
                : new FloatValues(a.data().asNioFloat());
    }

    /** "row r, column c" of a flat C-order index into [N, columns] labels. */
    static String position(INDArray labels, long flatIndex) {
        long cols = labels.size(1);
        return "row " + (flatIndex / cols) + ", column " + (flatIndex % cols);
    }

    /** Read access to a contiguous label buffer. */
    interface FlatValues {
        double get(int i);
    }

    private record FloatValues(FloatBuffer buffer) implements FlatValues {
        @Override
        public double get(int i) {
            return buffer.get(i);
        }
    }

    private record DoubleValues(DoubleBuffer buffer) implements FlatValues {
        @Override
        public double get(int i) {
            return buffer.get(i);
        }
    }
}
