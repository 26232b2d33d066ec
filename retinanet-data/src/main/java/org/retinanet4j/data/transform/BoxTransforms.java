package org.retinanet4j.data.transform;

import org.retinanet4j.preprocess.ResizeInfo;

/**
 * Moves boxes (flat x1,y1,x2,y2 arrays) with their image through the input transforms. Coordinates are continuous:
 * an image of width W spans [0, W], so a horizontal flip maps x to W - x (x1' = W - x2, x2' = W - x1).
 */
public final class BoxTransforms {

    private BoxTransforms() {
    }

    /**
     * Scales boxes from original to resized pixels in place, with torchvision's per-axis float32 ratios
     * {@code resized / original} ({@code resize_boxes}).
     */
    public static void resize(float[] boxes, ResizeInfo info) {
        float rx = (float) info.resizedWidth() / (float) info.originalWidth();
        float ry = (float) info.resizedHeight() / (float) info.originalHeight();
        for (int i = 0; i < boxes.length; i += 4) {
            boxes[i] *= rx;
            boxes[i + 1] *= ry;
            boxes[i + 2] *= rx;
            boxes[i + 3] *= ry;
        }
    }

    /** Mirrors boxes left-right inside an image of width {@code width}, in place. */
    public static void flipHorizontal(float[] boxes, int width) {
        for (int i = 0; i < boxes.length; i += 4) {
            float x1 = boxes[i];
            boxes[i] = width - boxes[i + 2];
            boxes[i + 2] = width - x1;
        }
    }

    /** Whether box {@code b} has positive width and height (degenerate boxes cannot be encoded as targets). */
    public static boolean hasArea(float[] boxes, int b) {
        return boxes[4 * b + 2] > boxes[4 * b] && boxes[4 * b + 3] > boxes[4 * b + 1];
    }
}
