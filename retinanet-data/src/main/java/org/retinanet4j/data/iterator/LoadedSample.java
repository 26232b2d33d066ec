package org.retinanet4j.data.iterator;

/**
 * One image after decoding, resizing and (optionally) flipping, before batching and padding.
 *
 * @param imageIndex position in the dataset
 * @param imageId    the dataset's image id
 * @param pixels     resized RGB values 0..255, HWC, already mirrored if {@code flipped}
 * @param boxes      x1,y1,x2,y2 in resized (network-input) pixels, degenerate boxes removed
 * @param labels     class indices, parallel to boxes
 * @param ignore     crowd/difficult flags, parallel to boxes
 */
public record LoadedSample(int imageIndex, long imageId, int originalHeight, int originalWidth, int resizedHeight,
                           int resizedWidth, boolean flipped, float[] pixels, float[] boxes, int[] labels,
                           boolean[] ignore) {
}
