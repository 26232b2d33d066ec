package org.retinanet4j.data.iterator;

import org.retinanet4j.data.image.ResizedImage;

/**
 * One image after decoding and resizing, before batching and padding, with its boxes carried through the same
 * steps (and mirrored when the image is to be flipped).
 *
 * @param imageIndex position in the dataset
 * @param imageId    the dataset's image id
 * @param image      the resized pixels and geometry (mirrored when batched if {@code image.flipped()})
 * @param boxes      x1,y1,x2,y2 in resized (network-input) pixels, already mirrored if flipped, degenerate boxes
 *                   removed
 * @param labels     class indices, parallel to boxes
 * @param ignore     crowd/difficult flags, parallel to boxes
 */
public record LoadedSample(int imageIndex, long imageId, ResizedImage image, float[] boxes, int[] labels,
                           boolean[] ignore) {

    public boolean flipped() {
        return image.flipped();
    }

    public int resizedHeight() {
        return image.height();
    }

    public int resizedWidth() {
        return image.width();
    }
}
