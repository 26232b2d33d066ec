package org.retinanet4j.data;

/**
 * Bit flags stored per ground-truth box in {@link DetectionDataset}. Both kinds are "ignore regions" for
 * training (anchors that match them are neither positive nor negative); evaluation treats them by their own
 * rules (COCO crowd matching, VOC difficult), so the two are kept apart.
 */
public final class BoxFlags {

    /** COCO {@code iscrowd = 1}. */
    public static final byte CROWD = 1;
    /** Pascal VOC {@code <difficult>1</difficult>}. */
    public static final byte DIFFICULT = 2;

    private BoxFlags() {
    }

    /** Whether the box is an ignore region for training (crowd or difficult). */
    public static boolean isIgnored(byte flags) {
        return (flags & (CROWD | DIFFICULT)) != 0;
    }
}
