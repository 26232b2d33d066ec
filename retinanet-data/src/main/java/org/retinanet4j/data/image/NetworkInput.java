package org.retinanet4j.data.image;

import org.retinanet4j.preprocess.ResizeInfo;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One image ready for the network: {@code image} is {@code [1, 3, H, W]} normalised, padded RGB; {@code info} maps
 * detections back to the original pixels.
 */
public record NetworkInput(INDArray image, ResizeInfo info) {
}
