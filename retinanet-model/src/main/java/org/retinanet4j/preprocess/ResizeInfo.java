package org.retinanet4j.preprocess;

/**
 * How one image was resized and padded into the network input, so boxes can be mapped back.
 *
 * <p>The image of {@code originalHeight x originalWidth} pixels was resized to {@code resizedHeight x resizedWidth}
 * and then zero-padded at the bottom/right to {@code paddedHeight x paddedWidth} (the network input size).
 * {@code scaleY} and {@code scaleX} are resized / original. Box coordinates in network-input pixels map back to the
 * original image by multiplying with {@code original / resized} per axis, computed from the integer sizes in float32
 * exactly as torchvision's {@code resize_boxes} does (see {@link #toOriginalX(float)}).
 *
 * @param originalHeight height of the image as read, pixels
 * @param originalWidth  width of the image as read, pixels
 * @param resizedHeight  height after resizing, before padding
 * @param resizedWidth   width after resizing, before padding
 * @param paddedHeight   network input height (resized + bottom padding)
 * @param paddedWidth    network input width (resized + right padding)
 * @param scaleY         resized / original along y
 * @param scaleX         resized / original along x
 */
public record ResizeInfo(int originalHeight, int originalWidth, int resizedHeight, int resizedWidth,
                         int paddedHeight, int paddedWidth, double scaleY, double scaleX) {

    public ResizeInfo {
        positive("originalHeight", originalHeight);
        positive("originalWidth", originalWidth);
        positive("resizedHeight", resizedHeight);
        positive("resizedWidth", resizedWidth);
        positive("paddedHeight", paddedHeight);
        positive("paddedWidth", paddedWidth);
        if (paddedHeight < resizedHeight || paddedWidth < resizedWidth) {
            throw new IllegalArgumentException("ResizeInfo: padded size " + paddedHeight + "x" + paddedWidth
                    + " is smaller than the resized size " + resizedHeight + "x" + resizedWidth);
        }
        if (!(scaleY > 0) || !(scaleX > 0) || Double.isInfinite(scaleY) || Double.isInfinite(scaleX)) {
            throw new IllegalArgumentException("ResizeInfo: scaleY and scaleX must be finite and > 0, got "
                    + scaleY + ", " + scaleX);
        }
    }

    /** Resize info with scales computed as resized / original from the sizes. */
    public static ResizeInfo of(int originalHeight, int originalWidth, int resizedHeight, int resizedWidth,
                                int paddedHeight, int paddedWidth) {
        positive("originalHeight", originalHeight);
        positive("originalWidth", originalWidth);
        return new ResizeInfo(originalHeight, originalWidth, resizedHeight, resizedWidth, paddedHeight, paddedWidth,
                (double) resizedHeight / originalHeight, (double) resizedWidth / originalWidth);
    }

    /** An image fed as is (no resize, no padding). */
    public static ResizeInfo identity(int height, int width) {
        return of(height, width, height, width, height, width);
    }

    /** Factor from network-input x to original x: float32 {@code original / resized}, as torchvision. */
    public float xToOriginal() {
        return (float) originalWidth / (float) resizedWidth;
    }

    /** Factor from network-input y to original y: float32 {@code original / resized}, as torchvision. */
    public float yToOriginal() {
        return (float) originalHeight / (float) resizedHeight;
    }

    public float toOriginalX(float inputX) {
        return inputX * xToOriginal();
    }

    public float toOriginalY(float inputY) {
        return inputY * yToOriginal();
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("ResizeInfo." + name + " must be > 0, got " + value);
        }
    }
}
