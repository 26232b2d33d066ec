package org.retinanet4j.zoo;

import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.loss.FocalLoss;

/** The loss functions on the {@code cls} and {@code box} outputs. */
final class RetinaNetLosses {
    private RetinaNetLosses() {
    }

    static ILossFunction classification(double alpha, double gamma) {
        return new FocalLoss(alpha, gamma);
    }

    static ILossFunction boxRegression(BoxRegressionLoss.Type type) {
        return type == BoxRegressionLoss.Type.L1 ? new BoxRegressionLoss()
                : new BoxRegressionLoss(type, BoxRegressionLoss.DEFAULT_SMOOTH_L1_BETA);
    }
}
