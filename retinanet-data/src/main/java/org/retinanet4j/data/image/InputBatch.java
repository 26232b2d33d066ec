package org.retinanet4j.data.image;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.preprocess.ResizeInfo;

import java.util.List;

/**
 * Images ready for the network: {@code images} is {@code [N, 3, H, W]} normalised, padded RGB; {@code geometry}
 * maps each image's detections back to its original pixels.
 */
public record InputBatch(INDArray images, List<ResizeInfo> geometry) {
}
