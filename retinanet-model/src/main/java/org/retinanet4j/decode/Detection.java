package org.retinanet4j.decode;

import java.util.Locale;

/**
 * One detected object: box corners in ORIGINAL image pixels, class and score.
 *
 * @param x1         left edge, original image pixels
 * @param y1         top edge
 * @param x2         right edge
 * @param y2         bottom edge
 * @param classIndex contiguous class index 0..K-1
 * @param className  human-readable class name (or {@code "class_<index>"} when none is known)
 * @param score      sigmoid class score in (0, 1)
 */
public record Detection(float x1, float y1, float x2, float y2, int classIndex, String className, float score) {

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    /** For example {@code dog (16) 0.873 at [12.0, 30.5, 200.1, 310.0]}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%d) %.3f at [%.1f, %.1f, %.1f, %.1f]", className, classIndex, score,
                x1, y1, x2, y2);
    }
}
