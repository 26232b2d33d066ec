package org.retinanet4j.eval;

import org.retinanet4j.boxes.BoxTable;
import org.retinanet4j.data.DetectionDataset;

/**
 * Ground truth for Pascal VOC evaluation: per box its image id, class id, corners {@code x1, y1, x2, y2} and
 * {@code difficult} flag, in the order added, held in a {@link BoxTable}.
 */
public final class VocGroundTruth {
    private static final int DIFFICULT = 1;
    private final BoxTable boxes = new BoxTable(64);

    /** Adds one box (corners as in the VOC XML). */
    public VocGroundTruth add(long imageId, int classId, double x1, double y1, double x2, double y2,
                              boolean isDifficult) {
        if (!(x2 >= x1 && y2 >= y1)) {
            throw new IllegalArgumentException("ground-truth box #" + boxes.size() + " (image " + imageId
                    + "): corners out of order [" + x1 + ", " + y1 + ", " + x2 + ", " + y2 + "]");
        }
        boxes.add(imageId, classId, x1, y1, x2, y2, 0, isDifficult ? DIFFICULT : 0);
        return this;
    }

    /**
     * All boxes of a dataset (any reader) with their {@code difficult} flags; class ids are the dataset's
     * category ids. Crowd boxes (COCO) are treated as difficult: VOC has no crowd, and difficult is its only
     * "neither hit nor miss" notion.
     */
    public static VocGroundTruth fromDataset(DetectionDataset dataset) {
        VocGroundTruth gt = new VocGroundTruth();
        for (int i = 0; i < dataset.numImages(); i++) {
            for (int b = dataset.firstBox(i), end = b + dataset.numBoxes(i); b < end; b++) {
                gt.add(dataset.imageId(i), (int) dataset.categoryId(b), dataset.box(b, 0), dataset.box(b, 1),
                        dataset.box(b, 2), dataset.box(b, 3), dataset.isDifficult(b) || dataset.isCrowd(b));
            }
        }
        return gt;
    }

    /**
     * The boxes of a COCO ground truth ({@code x, y, w, h} to corners); crowd regions become difficult boxes
     * (neither hit nor miss), the nearest VOC notion.
     */
    public static VocGroundTruth fromCoco(CocoGroundTruth coco) {
        VocGroundTruth gt = new VocGroundTruth();
        double[] b = coco.boxes();
        boolean[] crowd = coco.crowdFlags();
        for (int a = 0; a < coco.numAnnotations(); a++) {
            gt.add(coco.imageId(coco.annImage(a)), coco.categoryId(coco.annCategory(a)), b[a * 4], b[a * 4 + 1],
                    b[a * 4] + b[a * 4 + 2], b[a * 4 + 1] + b[a * 4 + 3], crowd[a]);
        }
        return gt;
    }

    public int size() {
        return boxes.size();
    }

    long imageId(int i) {
        return boxes.image(i);
    }

    int classId(int i) {
        return boxes.label(i);
    }

    double coord(int i, int j) {
        return boxes.box(i, j);
    }

    boolean difficult(int i) {
        return boxes.has(i, DIFFICULT);
    }
}
