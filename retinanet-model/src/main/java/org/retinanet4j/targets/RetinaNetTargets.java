package org.retinanet4j.targets;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Label arrays for one minibatch, as the RetinaNet losses consume them.
 *
 * @param classTargets {@code [N, A*K]}: 1 positive, 0 negative, {@code FocalLoss.IGNORE} (-1) for every class of an
 *                     ignored anchor
 * @param boxTargets   {@code [N, A*4]}: encoded box targets of positive anchors; {@code BoxRegressionLoss.NOT_POSITIVE}
 *                     (-1.0e6) on all four entries of any other anchor
 */
public record RetinaNetTargets(INDArray classTargets, INDArray boxTargets) {
}
