package org.retinanet4j.torchvision;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * torchvision's COCO label space: its detection models have 91 outputs, index i being COCO category id i
 * (index 0 is "__background__" and the 11 unused ids are "N/A"; neither is ever trained as a class).
 * Copied from torchvision 0.14.1 {@code models/_meta.py::_COCO_CATEGORIES}.
 */
public final class CocoLabels {

    /** Number of outputs of torchvision's COCO detectors. */
    public static final int NUM_CLASSES = 91;

    private static final String[] NAMES = {
            "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train",
            "truck", "boat", "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench",
            "bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear",
            "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A", "N/A", "handbag",
            "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
            "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup",
            "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
            "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
            "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet", "N/A",
            "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
            "toaster", "sink", "refrigerator", "N/A", "book", "clock", "vase", "scissors",
            "teddy bear", "hair drier", "toothbrush"};

    private CocoLabels() {
    }

    /** COCO category id of a torchvision class index (the identity: torchvision trains on raw category ids). */
    public static int categoryId(int classIndex) {
        check(classIndex);
        return classIndex;
    }

    /** Category name of a class index; "__background__" for 0 and "N/A" for the unused ids. */
    public static String name(int classIndex) {
        check(classIndex);
        return NAMES[classIndex];
    }

    /** Whether a class index is a real COCO category (not background, not one of the unused ids). */
    public static boolean isUsed(int classIndex) {
        check(classIndex);
        return classIndex != 0 && !"N/A".equals(NAMES[classIndex]);
    }

    /** All 91 names, index = class index. */
    public static List<String> names() {
        List<String> out = new ArrayList<>(NUM_CLASSES);
        Collections.addAll(out, NAMES);
        return Collections.unmodifiableList(out);
    }

    private static void check(int classIndex) {
        if (classIndex < 0 || classIndex >= NUM_CLASSES) {
            throw new IllegalArgumentException("COCO class index " + classIndex + " outside 0.." + (NUM_CLASSES - 1));
        }
    }
}
