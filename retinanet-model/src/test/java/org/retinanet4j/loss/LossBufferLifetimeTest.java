package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused losses read labels and outputs through their native buffers. When an input is a view or of another
 * type, the loss reads a fresh copy that nothing else references: the copy must stay alive until the loss has
 * read it, or the garbage collector lets ND4J free its memory mid-read and the loss sees whatever is written
 * there next (a label of 6.9e-310 in one CI run). Here other threads collect garbage and fill freed memory with
 * 7s while the losses read copies, and every score must match the one computed from a plain array.
 */
class LossBufferLifetimeTest {

    @Test
    void copiesOfViewLabelsAndOutputsStayAliveWhileTheLossReadsThem() throws Exception {
        FocalLoss loss = new FocalLoss();
        int n = 200_000;
        // column 0 of [n, 2] arrays: strided views, which the loss reads from copies
        INDArray wideLogits = Nd4j.rand(DataType.FLOAT, n, 2).subi(0.5).muli(4);
        INDArray wideLabels = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i += 97) {
            wideLabels.putScalar(i, 0, 1);
        }
        for (int i = 5; i < n; i += 131) {
            wideLabels.putScalar(i, 0, FocalLoss.IGNORE);
        }
        INDArray viewLogits = wideLogits.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1));
        INDArray viewLabels = wideLabels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1));
        INDArray plainLogits = viewLogits.dup('c');
        INDArray plainLabels = viewLabels.dup('c');
        double[] expected = loss.computeScoreArray(plainLabels, plainLogits, new ActivationIdentity(), null)
                .toDoubleVector();
        // a reshaped view of a plain array is contiguous: read where it lies, with the same scores
        assertArrayEquals(expected, loss.computeScoreArray(plainLabels.reshape(1, n).reshape(n, 1),
                plainLogits.reshape(1, n).reshape(n, 1), new ActivationIdentity(), null).toDoubleVector(), 0);

        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = new Thread(() -> {
            while (!stop.get()) {
                // freed native memory is handed out again and overwritten with 7s
                Nd4j.valueArrayOf(new long[]{n}, 7.0f).addi(0);
                System.gc();
            }
        }, "garbage-churn");
        churn.setDaemon(true);
        churn.start();
        try {
            for (int round = 0; round < 10; round++) {
                double[] scores = loss.computeScoreArray(viewLabels, viewLogits, new ActivationIdentity(), null)
                        .toDoubleVector();
                assertArrayEquals(expected, scores, 1e-6, "round " + round);
                INDArray gradient = loss.computeGradient(viewLabels, viewLogits, new ActivationIdentity(), null);
                assertFalse(gradient.isInfinite().any() || gradient.isNaN().any(), "round " + round);
            }
        } finally {
            stop.set(true);
            churn.join();
        }
    }
}
