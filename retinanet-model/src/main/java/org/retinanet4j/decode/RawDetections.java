package org.retinanet4j.decode;

/**
 * Post-processed detections of one image in network-input pixels, before mapping back to the original image: what
 * torchvision's {@code postprocess_detections} returns, sorted by decreasing score.
 *
 * @param boxes  {@code n * 4} x1, y1, x2, y2, clipped to the resized (unpadded) image
 * @param scores {@code n} sigmoid scores
 * @param labels {@code n} class indices
 */
public record RawDetections(float[] boxes, float[] scores, int[] labels) {

    public int size() {
        return scores.length;
    }
}
