package org.retinanet4j.preprocess;

/**
 * torchvision's detection resize: scale so the shorter side becomes {@code minSize} unless the longer side would
 * then exceed {@code maxSize}, in which case the longer side becomes {@code maxSize}; aspect ratio kept. As in
 * {@code GeneralizedRCNNTransform.resize} the scale is computed in float32 and the new size is
 * {@code floor(size * scale)} (interpolate with {@code recompute_scale_factor=True}); box scales are then the
 * per-axis ratios resized / original, like {@code resize_boxes}.
 *
 * @param minSize target for the shorter side
 * @param maxSize cap for the longer side
 */
public record ResizeRule(int minSize, int maxSize) {

    public ResizeRule {
        if (minSize < 1 || maxSize < minSize) {
            throw new IllegalArgumentException("need 1 <= minSize <= maxSize, got " + minSize + ", " + maxSize);
        }
    }

    /** torchvision's RetinaNet default: shorter side 800, longer side at most 1333. */
    public static ResizeRule torchvisionDefault() {
        return new ResizeRule(800, 1333);
    }

    /**
     * The float32 scale factor for an image of {@code height x width}, rounded as torch rounds it:
     * {@code min_size / tensor} runs as {@code reciprocal(tensor) * min_size} in float32, which for 480 px and
     * 800 gives 1.6666667 (not the correctly rounded 1.6666666), hence 800 rather than 799 output rows.
     */
    public float scale(int height, int width) {
        float shorter = Math.min(height, width);
        float longer = Math.max(height, width);
        return Math.min(minSize * (1f / shorter), maxSize * (1f / longer));
    }

    /** Resized size and padding of an image of {@code height x width}. */
    public ResizeInfo apply(int height, int width, PaddingRule padding) {
        double s = scale(height, width);
        int rh = Math.max(1, (int) Math.floor(height * s));
        int rw = Math.max(1, (int) Math.floor(width * s));
        return ResizeInfo.of(height, width, rh, rw, padding.paddedHeight(rh), padding.paddedWidth(rw));
    }
}
