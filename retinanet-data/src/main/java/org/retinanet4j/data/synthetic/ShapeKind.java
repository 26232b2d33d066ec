package org.retinanet4j.data.synthetic;

/** The classes of the synthetic shapes dataset, with their COCO category ids (non-contiguous on purpose). */
public enum ShapeKind {
    SQUARE(1, "square"),
    CIRCLE(3, "circle"),
    TRIANGLE(7, "triangle");

    private final long categoryId;
    private final String label;

    ShapeKind(long categoryId, String label) {
        this.categoryId = categoryId;
        this.label = label;
    }

    public long categoryId() {
        return categoryId;
    }

    public String label() {
        return label;
    }
}
