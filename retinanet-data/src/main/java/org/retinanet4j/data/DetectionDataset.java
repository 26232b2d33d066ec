package org.retinanet4j.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * An object-detection dataset held in flat primitive arrays: one entry per image (id, file, size) and one per
 * ground-truth box (corners, class index, flags, area, annotation id), boxes grouped by image. There is no object
 * per box, so COCO train2017 (860,000 boxes) costs about 40 MB. Every reader (COCO, VOC, CSV) produces this.
 *
 * <p>Coordinates: {@link #boxes()} holds x1,y1,x2,y2 in the image's pixel frame (continuous coordinates: the
 * image spans [0,width] x [0,height]), clipped to the image; {@link #rawXywh()} holds each box as the file gave
 * it (COCO's {@code bbox} x,y,w,h, unclipped), which COCO evaluation needs. Boxes of image {@code i} are
 * {@code firstBox(i) .. firstBox(i)+numBoxes(i)-1}. Immutable after construction (the accessors that return
 * arrays return copies, except the documented bulk views).
 */
public final class DetectionDataset {

    private final String source;
    private final Path imageRoot;
    private final CategoryMap categories;
    private final long[] imageIds;
    private final String[] fileNames;
    private final int[] widths;
    private final int[] heights;
    private final int[] boxStart;       // numImages + 1
    private final float[] boxes;        // 4 per box, x1 y1 x2 y2, clipped
    private final float[] rawXywh;      // 4 per box, as in the file
    private final int[] classIndices;
    private final byte[] flags;
    private final float[] areas;
    private final long[] annotationIds;
    private final long[] sortedImageIds;
    private final int[] sortedImagePositions;

    DetectionDataset(String source, Path imageRoot, CategoryMap categories, long[] imageIds, String[] fileNames,
                     int[] widths, int[] heights, int[] boxStart, float[] boxes, float[] rawXywh,
                     int[] classIndices, byte[] flags, float[] areas, long[] annotationIds) {
        this.source = source;
        this.imageRoot = imageRoot;
        this.categories = categories;
        this.imageIds = imageIds;
        this.fileNames = fileNames;
        this.widths = widths;
        this.heights = heights;
        this.boxStart = boxStart;
        this.boxes = boxes;
        this.rawXywh = rawXywh;
        this.classIndices = classIndices;
        this.flags = flags;
        this.areas = areas;
        this.annotationIds = annotationIds;
        this.sortedImagePositions = LongOrder.ascending(imageIds);
        this.sortedImageIds = new long[imageIds.length];
        for (int i = 0; i < imageIds.length; i++) {
            sortedImageIds[i] = imageIds[sortedImagePositions[i]];
        }
    }

    /** Where the dataset came from (annotation file or folder), for messages. */
    public String source() {
        return source;
    }

    /** Folder that image file names are relative to. */
    public Path imageRoot() {
        return imageRoot;
    }

    /** Class index to category id and name. */
    public CategoryMap categories() {
        return categories;
    }

    public int numImages() {
        return imageIds.length;
    }

    public int numBoxes() {
        return classIndices.length;
    }

    /** The dataset's own (64-bit) id of image {@code i}. */
    public long imageId(int i) {
        return imageIds[i];
    }

    /** Position of an image id, or -1 when absent. */
    public int indexOfImageId(long imageId) {
        int p = Arrays.binarySearch(sortedImageIds, imageId);
        return p >= 0 ? sortedImagePositions[p] : -1;
    }

    /** File name of image {@code i} as the dataset gives it (relative to {@link #imageRoot()}). */
    public String fileName(int i) {
        return fileNames[i];
    }

    /** Resolved path of image {@code i}. */
    public Path imagePath(int i) {
        return imageRoot.resolve(fileNames[i]);
    }

    public int width(int i) {
        return widths[i];
    }

    public int height(int i) {
        return heights[i];
    }

    /** Index of the first box of image {@code i}. */
    public int firstBox(int i) {
        return boxStart[i];
    }

    /** Number of boxes (ignore regions included) of image {@code i}. */
    public int numBoxes(int i) {
        return boxStart[i + 1] - boxStart[i];
    }

    /** Box {@code b} corner {@code j} (0..3 = x1,y1,x2,y2), clipped to the image. */
    public float box(int b, int j) {
        return boxes[4 * b + j];
    }

    /** Box {@code b} value {@code j} (0..3 = x,y,w,h) as the file gave it (unclipped). */
    public float rawXywh(int b, int j) {
        return rawXywh[4 * b + j];
    }

    public int classIndex(int b) {
        return classIndices[b];
    }

    /** The dataset's category id of box {@code b}. */
    public long categoryId(int b) {
        return categories.categoryId(classIndices[b]);
    }

    /** {@link BoxFlags} of box {@code b}. */
    public byte flags(int b) {
        return flags[b];
    }

    public boolean isCrowd(int b) {
        return (flags[b] & BoxFlags.CROWD) != 0;
    }

    public boolean isDifficult(int b) {
        return (flags[b] & BoxFlags.DIFFICULT) != 0;
    }

    /** Crowd or difficult: an ignore region for training. */
    public boolean isIgnored(int b) {
        return BoxFlags.isIgnored(flags[b]);
    }

    /** COCO's {@code area} (segment area) when given, else the box area w*h. */
    public float area(int b) {
        return areas[b];
    }

    public long annotationId(int b) {
        return annotationIds[b];
    }

    /** Read-only view contract: all clipped boxes, 4 floats each; callers must not modify it. */
    public float[] boxes() {
        return boxes;
    }

    /** Read-only view contract: all raw x,y,w,h boxes, 4 floats each; callers must not modify it. */
    public float[] rawXywh() {
        return rawXywh;
    }

    /** Copies image {@code i}'s clipped boxes (4 floats each) into a new array. */
    public float[] boxesOf(int i) {
        return Arrays.copyOfRange(boxes, 4 * boxStart[i], 4 * boxStart[i + 1]);
    }

    /** Copies image {@code i}'s class indices into a new array. */
    public int[] classesOf(int i) {
        return Arrays.copyOfRange(classIndices, boxStart[i], boxStart[i + 1]);
    }

    /** Image {@code i}'s ignore flags (crowd or difficult) as a new array. */
    public boolean[] ignoredOf(int i) {
        boolean[] out = new boolean[numBoxes(i)];
        for (int k = 0; k < out.length; k++) {
            out[k] = BoxFlags.isIgnored(flags[boxStart[i] + k]);
        }
        return out;
    }

    /** Positions 0..n-1 of the images that have at least one non-ignored box. */
    public int[] imagesWithObjects() {
        int[] out = new int[numImages()];
        int n = 0;
        for (int i = 0; i < numImages(); i++) {
            for (int b = boxStart[i]; b < boxStart[i + 1]; b++) {
                if (!BoxFlags.isIgnored(flags[b])) {
                    out[n++] = i;
                    break;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public String toString() {
        return "DetectionDataset[" + source + ": " + numImages() + " images, " + numBoxes() + " boxes, "
                + categories.size() + " classes]";
    }
}
