package org.retinanet4j.preprocess;

/**
 * How a resized image is padded (bottom and right, with zeros) into the network input: up to the next multiple of
 * a divisor (a model's {@code RetinaNetSpec.paddingMultiple()}, its coarsest anchor stride, keeps every level an
 * exact power-of-two stride) or to a fixed size (one input shape for every batch).
 *
 * @param multiple   pad each side up to a multiple of this (used when {@code fixedHeight} is 0)
 * @param fixedHeight fixed padded height, or 0
 * @param fixedWidth  fixed padded width, or 0
 */
public record PaddingRule(int multiple, int fixedHeight, int fixedWidth) {

    public PaddingRule {
        if (fixedHeight == 0 && fixedWidth == 0) {
            if (multiple < 1) {
                throw new IllegalArgumentException("padding multiple must be >= 1, got " + multiple);
            }
        } else if (fixedHeight < 1 || fixedWidth < 1) {
            throw new IllegalArgumentException("fixed padded size must be positive, got " + fixedHeight + "x"
                    + fixedWidth);
        }
    }

    /** Pads each side up to a multiple of {@code multiple}. */
    public static PaddingRule toMultipleOf(int multiple) {
        return new PaddingRule(multiple, 0, 0);
    }

    /** Pads every image to {@code height x width}; a resized image larger than that is an error. */
    public static PaddingRule toFixed(int height, int width) {
        return new PaddingRule(1, height, width);
    }

    public boolean isFixed() {
        return fixedHeight > 0;
    }

    public int paddedHeight(int resizedHeight) {
        return pad(resizedHeight, fixedHeight, "height");
    }

    public int paddedWidth(int resizedWidth) {
        return pad(resizedWidth, fixedWidth, "width");
    }

    private int pad(int size, int fixed, String what) {
        if (fixed > 0) {
            if (size > fixed) {
                throw new IllegalArgumentException("resized " + what + " " + size + " exceeds the fixed padded "
                        + what + " " + fixed + "; lower the resize rule's sizes");
            }
            return fixed;
        }
        return (size + multiple - 1) / multiple * multiple;
    }
}
