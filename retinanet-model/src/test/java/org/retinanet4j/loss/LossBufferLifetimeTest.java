package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        INDArray logits = Nd4j.rand(DataType.FLOAT, 1, n).subi(0.5).muli(4);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 1, n);
        for (int i = 0; i < n; i += 97) {
            labels.putScalar(0, i, 1);
        }
        for (int i = 5; i < n; i += 131) {
            labels.putScalar(0, i, FocalLoss.IGNORE);
        }
        INDArray plainLogits = logits.reshape(n, 1).dup('c');
        INDArray plainLabels = labels.reshape(n, 1).dup('c');
        double[] expected = loss.computeScoreArray(plainLabels, plainLogits, new ActivationIdentity(), null)
                .toDoubleVector();

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
            for (int round = 0; round < 15; round++) {
                // double labels and a reshaped view of the logits: both are read through fresh copies
                INDArray viewLabels = labels.castTo(DataType.DOUBLE).reshape(n, 1);
                INDArray viewLogits = logits.reshape(n, 1);
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
