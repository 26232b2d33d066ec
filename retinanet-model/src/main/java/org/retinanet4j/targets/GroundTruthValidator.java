package org.retinanet4j.targets;

/**
 * Rejects ground truth that would silently corrupt targets: non-finite coordinates, boxes without positive width
 * and height, boxes that do not overlap the network input at all, and labels outside 0..K-1.
 *
 * <p>Boxes that stick out of the input only partly are accepted unchanged: torchvision matches them unclipped too,
 * and clipping here would change the encoded targets. Clip in the data pipeline if that is wanted.
 */
final class GroundTruthValidator {

    private GroundTruthValidator() {
    }

    static void validate(GroundTruth gt, int imageIndex, int numClasses, int inputHeight, int inputWidth) {
        if (gt == null) {
            throw new IllegalArgumentException("ground truth of image " + imageIndex + " is null (use GroundTruth.empty())");
        }
        float[] b = gt.boxes();
        int[] labels = gt.labels();
        for (int i = 0; i < labels.length; i++) {
            float x1 = b[i * 4];
            float y1 = b[i * 4 + 1];
            float x2 = b[i * 4 + 2];
            float y2 = b[i * 4 + 3];
            String where = "image " + imageIndex + ", box " + i + " [" + x1 + ", " + y1 + ", " + x2 + ", " + y2 + "]";
            if (!Float.isFinite(x1) || !Float.isFinite(y1) || !Float.isFinite(x2) || !Float.isFinite(y2)) {
                throw new IllegalArgumentException(where + ": coordinates must be finite");
            }
            if (!(x2 > x1) || !(y2 > y1)) {
                throw new IllegalArgumentException(where + ": width and height must be > 0 (x2 > x1 and y2 > y1)");
            }
            if (x2 <= 0 || y2 <= 0 || x1 >= inputWidth || y1 >= inputHeight) {
                throw new IllegalArgumentException(where + ": lies entirely outside the " + inputWidth + "x"
                        + inputHeight + " (width x height) network input");
            }
            if (!gt.isCrowd(i) && (labels[i] < 0 || labels[i] >= numClasses)) {
                throw new IllegalArgumentException("image " + imageIndex + ", box " + i + ": label " + labels[i]
                        + " is outside 0.." + (numClasses - 1));
            }
        }
    }
}
