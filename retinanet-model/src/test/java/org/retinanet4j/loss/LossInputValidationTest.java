package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Bad labels and settings fail with a message that says what is wrong and where. */
class LossInputValidationTest {
    private static final ActivationIdentity IDENTITY = new ActivationIdentity();

    @Test
    void focalLossRejectsLabelsOfAnotherShape() {
        INDArray logits = Nd4j.zeros(DataType.FLOAT, 2, 12);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 9);
        assertMessage(() -> new FocalLoss().computeScoreArray(labels, logits, IDENTITY, null),
                "labels shape [2, 9]", "[2, 12]");
        assertMessage(() -> new FocalLoss().computeGradient(labels, logits, IDENTITY, null),
                "labels shape [2, 9]", "[2, 12]");
    }

    @Test
    void focalLossNamesTheFirstBadValueAndItsPosition() {
        INDArray logits = Nd4j.zeros(DataType.FLOAT, 2, 6);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 6);
        labels.putScalar(1, 4, 0.5);
        labels.putScalar(1, 5, 2);
        assertMessage(() -> new FocalLoss().computeScore(labels, logits, IDENTITY, null, true),
                "label value 0.5", "row 1, column 4");
        INDArray doubles = labels.castTo(DataType.DOUBLE);
        doubles.putScalar(1, 4, Double.NaN);
        assertMessage(() -> new FocalLoss().computeGradient(doubles, logits.castTo(DataType.DOUBLE), IDENTITY,
                null), "label value NaN", "row 1, column 4");
    }

    @Test
    void focalLossReportsTheFirstBadValueAcrossParallelChunks() {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 200_000);
        labels.putScalar(1, 150_000, 7); // later chunk of row 1
        labels.putScalar(1, 100, 3); // first chunk of row 1: the first bad value
        labels.putScalar(1, 70_000, 5);
        assertMessage(() -> new FocalLoss().checkInput(labels, Nd4j.zeros(DataType.FLOAT, 2, 200_000)),
                "label value 3.0", "row 1, column 100");
    }

    @Test
    void sameDiffGraphPathChecksLabelsToo() {
        FocalLoss focal = new FocalLoss();
        focal.useSameDiffGraph(true);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 6);
        labels.putScalar(0, 2, 0.25);
        assertMessage(() -> focal.computeGradient(labels, Nd4j.zeros(DataType.FLOAT, 2, 6), IDENTITY, null),
                "label value 0.25", "row 0, column 2");
        BoxRegressionLoss box = new BoxRegressionLoss();
        box.useSameDiffGraph(true);
        assertMessage(() -> box.computeScoreArray(Nd4j.zeros(DataType.FLOAT, 2, 8), Nd4j.zeros(DataType.FLOAT, 2, 4),
                IDENTITY, null), "labels shape [2, 8]");
    }

    @Test
    void focalLossChecksLabelViewsToo() {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, 6);
        labels.putScalar(3, 1, -2);
        INDArray view = labels.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertMessage(() -> new FocalLoss().computeScoreArray(view, Nd4j.zeros(DataType.FLOAT, 2, 6), IDENTITY,
                null), "label value -2.0", "row 1, column 1");
    }

    @Test
    void boxLossRejectsShapeWidthAndMixedMarkers() {
        BoxRegressionLoss loss = new BoxRegressionLoss();
        assertMessage(() -> loss.computeScoreArray(Nd4j.zeros(DataType.FLOAT, 1, 8),
                Nd4j.zeros(DataType.FLOAT, 2, 8), IDENTITY, null), "labels shape [1, 8]", "[2, 8]");
        assertMessage(() -> loss.computeScoreArray(Nd4j.zeros(DataType.FLOAT, 1, 6),
                Nd4j.zeros(DataType.FLOAT, 1, 6), IDENTITY, null), "not a multiple of 4");
        INDArray mixed = Nd4j.zeros(DataType.FLOAT, 2, 8);
        mixed.putScalar(1, 5, BoxRegressionLoss.NOT_POSITIVE);
        assertMessage(() -> loss.computeGradient(mixed, Nd4j.zeros(DataType.FLOAT, 2, 8), IDENTITY, null),
                "row 1, column 5", "anchor 1");
        INDArray infinite = Nd4j.zeros(DataType.FLOAT, 1, 4);
        infinite.putScalar(0, 2, Float.POSITIVE_INFINITY);
        assertMessage(() -> loss.computeScoreArray(infinite, Nd4j.zeros(DataType.FLOAT, 1, 4), IDENTITY, null),
                "label value Infinity", "row 0, column 2");
    }

    @Test
    void settingsOutOfRangeAreRejected() {
        assertMessage(() -> new FocalLoss(1.5, 2), "alpha");
        assertMessage(() -> new FocalLoss(0.25, -1), "gamma");
        assertMessage(() -> new FocalLoss(0.25, Double.NaN), "gamma");
        assertMessage(() -> new BoxRegressionLoss(BoxRegressionLoss.Type.SMOOTH_L1, -0.1), "beta");
        assertMessage(() -> new BoxRegressionLoss(null, 0.1), "type");
    }

    private static void assertMessage(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }
}
