package org.retinanet4j.targets;

/**
 * Ground truth of one image, in network-input pixels.
 *
 * @param boxes  {@code n * 4} values x1, y1, x2, y2 in network-input pixels
 * @param labels {@code n} class indices in 0..K-1
 * @param crowd  {@code n} flags; a crowd region (COCO {@code iscrowd}) never yields positives and makes the anchors
 *               it mostly covers ignored; {@code null} means no crowd regions
 */
public record GroundTruth(float[] boxes, int[] labels, boolean[] crowd) {

    public GroundTruth {
        if (boxes == null || labels == null) {
            throw new IllegalArgumentException("GroundTruth: boxes and labels must not be null (use GroundTruth.empty())");
        }
        if (boxes.length != labels.length * 4) {
            throw new IllegalArgumentException("GroundTruth: boxes has " + boxes.length + " values but there are "
                    + labels.length + " labels (need 4 values per box)");
        }
        if (crowd != null && crowd.length != labels.length) {
            throw new IllegalArgumentException("GroundTruth: crowd has " + crowd.length + " flags but there are "
                    + labels.length + " labels");
        }
    }

    /** Ground truth without crowd regions. */
    public GroundTruth(float[] boxes, int[] labels) {
        this(boxes, labels, null);
    }

    /** An image without objects: every anchor becomes background. */
    public static GroundTruth empty() {
        return new GroundTruth(new float[0], new int[0], new boolean[0]);
    }

    public int size() {
        return labels.length;
    }

    public boolean isCrowd(int box) {
        return crowd != null && crowd[box];
    }
}
