package org.retinanet4j.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Collects images and boxes in any order (COCO files may list annotations before images) into growable
 * primitive arrays, then groups the boxes by image (stable: file order kept) and checks that image and
 * annotation ids are unique. Readers use it; it is not thread-safe.
 */
public final class DetectionDatasetBuilder {

    private final String source;
    private final Path imageRoot;
    private int nImages;
    private long[] imageIds = new long[1024];
    private String[] fileNames = new String[1024];
    private int[] widths = new int[1024];
    private int[] heights = new int[1024];

    private int nBoxes;
    private int[] boxImage = new int[4096];
    private float[] boxes = new float[4 * 4096];
    private float[] raw = new float[4 * 4096];
    private int[] classes = new int[4096];
    private byte[] flags = new byte[4096];
    private float[] areas = new float[4096];
    private long[] annIds = new long[4096];

    /**
     * @param source    the annotation file or folder, named in error messages
     * @param imageRoot folder that image file names are relative to
     */
    public DetectionDatasetBuilder(String source, Path imageRoot) {
        this.source = source;
        this.imageRoot = imageRoot;
    }

    public int numImages() {
        return nImages;
    }

    public int numBoxes() {
        return nBoxes;
    }

    /** Adds an image and returns its position. */
    public int addImage(long id, String fileName, int width, int height) {
        if (nImages == imageIds.length) {
            int cap = imageIds.length * 2;
            imageIds = Arrays.copyOf(imageIds, cap);
            fileNames = Arrays.copyOf(fileNames, cap);
            widths = Arrays.copyOf(widths, cap);
            heights = Arrays.copyOf(heights, cap);
        }
        imageIds[nImages] = id;
        fileNames[nImages] = fileName;
        widths[nImages] = width;
        heights[nImages] = height;
        return nImages++;
    }

    public long imageId(int image) {
        return imageIds[image];
    }

    public int width(int image) {
        return widths[image];
    }

    public int height(int image) {
        return heights[image];
    }

    /**
     * Adds a box of image {@code image} (a position returned by {@link #addImage}).
     *
     * @param xyxy    corners x1,y1,x2,y2 (already clipped by the reader if it clips)
     * @param rawXywh the box as the file gave it, x,y,w,h
     */
    public void addBox(int image, float x1, float y1, float x2, float y2,
                       float rawX, float rawY, float rawW, float rawH,
                       int classIndex, byte boxFlags, float area, long annotationId) {
        if (nBoxes == classes.length) {
            int cap = classes.length * 2;
            boxImage = Arrays.copyOf(boxImage, cap);
            boxes = Arrays.copyOf(boxes, 4 * cap);
            raw = Arrays.copyOf(raw, 4 * cap);
            classes = Arrays.copyOf(classes, cap);
            flags = Arrays.copyOf(flags, cap);
            areas = Arrays.copyOf(areas, cap);
            annIds = Arrays.copyOf(annIds, cap);
        }
        int b = nBoxes++;
        boxImage[b] = image;
        boxes[4 * b] = x1;
        boxes[4 * b + 1] = y1;
        boxes[4 * b + 2] = x2;
        boxes[4 * b + 3] = y2;
        raw[4 * b] = rawX;
        raw[4 * b + 1] = rawY;
        raw[4 * b + 2] = rawW;
        raw[4 * b + 3] = rawH;
        classes[b] = classIndex;
        flags[b] = boxFlags;
        areas[b] = area;
        annIds[b] = annotationId;
    }

    /**
     * Groups boxes by image and checks the ids.
     *
     * @throws DatasetFormatException on an empty dataset or duplicate image/annotation ids
     */
    public DetectionDataset build(CategoryMap categories) throws DatasetFormatException {
        if (nImages == 0) {
            throw new DatasetFormatException(source + ": empty dataset (no images)");
        }
        long[] ids = Arrays.copyOf(imageIds, nImages);
        checkUnique(ids, "image id", "images");
        long[] aids = Arrays.copyOf(annIds, nBoxes);
        checkUnique(aids, "annotation id", "annotations");

        int[] start = new int[nImages + 1];
        for (int b = 0; b < nBoxes; b++) {
            start[boxImage[b] + 1]++;
        }
        for (int i = 0; i < nImages; i++) {
            start[i + 1] += start[i];
        }
        int[] fill = Arrays.copyOf(start, nImages);
        float[] gBoxes = new float[4 * nBoxes];
        float[] gRaw = new float[4 * nBoxes];
        int[] gClasses = new int[nBoxes];
        byte[] gFlags = new byte[nBoxes];
        float[] gAreas = new float[nBoxes];
        long[] gIds = new long[nBoxes];
        for (int b = 0; b < nBoxes; b++) {
            int t = fill[boxImage[b]]++;
            System.arraycopy(boxes, 4 * b, gBoxes, 4 * t, 4);
            System.arraycopy(raw, 4 * b, gRaw, 4 * t, 4);
            gClasses[t] = classes[b];
            gFlags[t] = flags[b];
            gAreas[t] = areas[b];
            gIds[t] = annIds[b];
        }
        return new DetectionDataset(source, imageRoot, categories, ids, Arrays.copyOf(fileNames, nImages),
                Arrays.copyOf(widths, nImages), Arrays.copyOf(heights, nImages), start, gBoxes, gRaw, gClasses,
                gFlags, gAreas, gIds);
    }

    private void checkUnique(long[] values, String what, String section) throws DatasetFormatException {
        int[] order = LongOrder.ascending(values);
        for (int k = 1; k < order.length; k++) {
            if (values[order[k]] == values[order[k - 1]]) {
                int first = Math.min(order[k], order[k - 1]);
                int second = Math.max(order[k], order[k - 1]);
                throw new DatasetFormatException(source + ": duplicate " + what + " " + values[order[k]] + " ("
                        + section + " record #" + first + " and #" + second + ")");
            }
        }
    }
}
