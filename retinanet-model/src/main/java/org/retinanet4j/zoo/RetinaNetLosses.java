package org.retinanet4j.zoo;

import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * The loss functions on the {@code cls} and {@code box} outputs.
 *
 * <p>PLACEHOLDER until the {@code loss} branch (FocalLoss, BoxRegressionLoss) is merged: plain MSE / L1 that
 * know nothing of ignored anchors. Only the graph's structure and training mechanics can be tested with them.
 */
final class RetinaNetLosses {
    private RetinaNetLosses() {
    }

    static ILossFunction classification(double alpha, double gamma) {
        return new LossMSE();
    }

    static ILossFunction boxRegression(BoxLossType type) {
        return new LossL1();
    }
}
