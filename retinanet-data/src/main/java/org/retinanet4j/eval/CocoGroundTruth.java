package org.retinanet4j.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import org.retinanet4j.boxes.BoxTable;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ground truth for COCO evaluation in primitive arrays: the evaluated images and categories (sorted ids, as
 * pycocotools sorts them) and one row per annotation (image, category, box {@code x, y, w, h}, {@code area},
 * {@code iscrowd}). Build it with {@link Builder}; {@link #fromDataset} adapts any reader's {@link DetectionDataset}
 * onto the builder, and {@link #readCocoInstances} reads a COCO instances file through the project's one COCO
 * parser, {@link CocoInstancesReader}.
 *
 * <p>Annotation order matters as in pycocotools (ties between equally good matches go to the later box), so
 * rows keep the order they were added in.
 */
public final class CocoGroundTruth {
    private static final Logger log = LoggerFactory.getLogger(CocoGroundTruth.class);
    private final long[] imageIds;
    private final int[] categoryIds;
    private final String[] categoryNames;
    private final int[] annImage;
    private final int[] annCategory;
    private final double[] annBoxes;
    private final double[] annArea;
    private final boolean[] annCrowd;

    private CocoGroundTruth(long[] imageIds, int[] categoryIds, String[] categoryNames, int[] annImage,
                            int[] annCategory, double[] annBoxes, double[] annArea, boolean[] annCrowd) {
        this.imageIds = imageIds;
        this.categoryIds = categoryIds;
        this.categoryNames = categoryNames;
        this.annImage = annImage;
        this.annCategory = annCategory;
        this.annBoxes = annBoxes;
        this.annArea = annArea;
        this.annCrowd = annCrowd;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Ground truth from a {@link DetectionDataset} (any reader: COCO, VOC, CSV): every image, every category of
     * its {@link org.retinanet4j.data.CategoryMap}, each box as the file gave it ({@code rawXywh}), its
     * {@code area} and crowd flag, in dataset order. VOC {@code difficult} boxes count as regular boxes here
     * (COCO has no such notion; {@link VocEvaluator} ignores them).
     *
     * <p>The evaluator sees the raw boxes and areas (doubles, as in the file), never the clipped training boxes,
     * so the statistics equal pycocotools' on the same file.
     */
    public static CocoGroundTruth fromDataset(DetectionDataset dataset) {
        Builder b = builder();
        CategoryMap cats = dataset.categories();
        for (int c = 0; c < cats.size(); c++) {
            b.addCategory(intId(cats.categoryId(c), dataset), cats.name(c));
        }
        for (int i = 0; i < dataset.numImages(); i++) {
            long imageId = dataset.imageId(i);
            b.addImage(imageId);
            for (int k = dataset.firstBox(i), end = k + dataset.numBoxes(i); k < end; k++) {
                b.addAnnotation(imageId, intId(dataset.categoryId(k), dataset), dataset.rawXywh(k, 0),
                        dataset.rawXywh(k, 1), dataset.rawXywh(k, 2), dataset.rawXywh(k, 3), dataset.area(k),
                        dataset.isCrowd(k));
            }
        }
        return b.build();
    }

    /**
     * Reads a COCO instances file with {@link CocoInstancesReader} (its rules and errors, which name the file, the
     * record and the field) and adapts it with {@link #fromDataset}.
     */
    public static CocoGroundTruth readCocoInstances(Path instancesJson) throws IOException {
        Path parent = instancesJson.toAbsolutePath().getParent();
        return fromDataset(new CocoInstancesReader().read(instancesJson, parent));
    }

    private static int intId(long categoryId, DetectionDataset dataset) {
        if (categoryId != (int) categoryId) {
            throw new IllegalArgumentException(dataset.source() + ": category id " + categoryId
                    + " does not fit the evaluator's 32-bit category ids");
        }
        return (int) categoryId;
    }

    public int numImages() {
        return imageIds.length;
    }

    public int numCategories() {
        return categoryIds.length;
    }

    public int numAnnotations() {
        return annImage.length;
    }

    /** Image id of dense image index {@code i} (images sorted by id). */
    public long imageId(int i) {
        return imageIds[i];
    }

    /** Category id of dense category index {@code k} (categories sorted by id). */
    public int categoryId(int k) {
        return categoryIds[k];
    }

    public String categoryName(int k) {
        return categoryNames[k];
    }

    /** Dense index of an image id, or -1 when the ground truth has no such image. */
    public int imageIndex(long imageId) {
        int i = Arrays.binarySearch(imageIds, imageId);
        return i >= 0 ? i : -1;
    }

    /** Dense index of a category id, or -1 when the ground truth has no such category. */
    public int categoryIndex(int categoryId) {
        int k = Arrays.binarySearch(categoryIds, categoryId);
        return k >= 0 ? k : -1;
    }

    int annImage(int a) {
        return annImage[a];
    }

    int annCategory(int a) {
        return annCategory[a];
    }

    double[] boxes() {
        return annBoxes;
    }

    double[] areas() {
        return annArea;
    }

    boolean[] crowdFlags() {
        return annCrowd;
    }

    /** Category names in dense order. */
    public String[] categoryNames() {
        return categoryNames.clone();
    }

    /**
     * Collects images, categories and annotations. Annotations may name images and categories added later;
     * {@link #build()} checks that every one is known.
     */
    public static final class Builder {
        private static final int CROWD = 1;
        private long[] images = new long[16];
        private int nImages;
        private int[] cats = new int[16];
        private String[] catNames = new String[16];
        private int nCats;
        // value: the area; flag: iscrowd
        private final BoxTable annotations = new BoxTable(64);

        public Builder addImage(long imageId) {
            if (nImages == images.length) {
                images = Arrays.copyOf(images, nImages * 2);
            }
            images[nImages++] = imageId;
            return this;
        }

        public Builder addCategory(int categoryId, String name) {
            if (nCats == cats.length) {
                cats = Arrays.copyOf(cats, nCats * 2);
                catNames = Arrays.copyOf(catNames, nCats * 2);
            }
            cats[nCats] = categoryId;
            catNames[nCats++] = name;
            return this;
        }

        /**
         * One annotation: box {@code x, y, w, h} in pixels, {@code area} as the dataset states it (COCO: the
         * segmentation's area, which decides small/medium/large), crowd flag ({@code iscrowd}).
         */
        public Builder addAnnotation(long imageId, int categoryId, double x, double y, double w, double h,
                                     double area, boolean crowd) {
            annotations.add(imageId, categoryId, x, y, w, h, area, crowd ? CROWD : 0);
            return this;
        }

        /**
         * Sorts images and categories by id. Annotations of a category that is not declared are left out, as
         * pycocotools evaluates only declared categories; an annotation naming an unknown image is an error.
         */
        public CocoGroundTruth build() {
            long[] imageIds = Arrays.stream(images, 0, nImages).sorted().distinct().toArray();
            Integer[] order = new Integer[nCats];
            for (int i = 0; i < nCats; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (p, q) -> Integer.compare(cats[p], cats[q]));
            int[] categoryIds = new int[nCats];
            String[] names = new String[nCats];
            for (int i = 0; i < nCats; i++) {
                categoryIds[i] = cats[order[i]];
                names[i] = catNames[order[i]];
                if (i > 0 && categoryIds[i] == categoryIds[i - 1]) {
                    throw new IllegalArgumentException("category id " + categoryIds[i] + " is declared twice");
                }
            }
            int nAnn = annotations.size();
            int kept = 0;
            int[] annImage = new int[nAnn];
            int[] annCat = new int[nAnn];
            double[] boxes = new double[nAnn * 4];
            double[] area = new double[nAnn];
            boolean[] crowd = new boolean[nAnn];
            for (int a = 0; a < nAnn; a++) {
                int i = Arrays.binarySearch(imageIds, annotations.image(a));
                if (i < 0) {
                    throw new IllegalArgumentException("annotation #" + a + ": image_id " + annotations.image(a)
                            + " is not among the images");
                }
                int k = Arrays.binarySearch(categoryIds, annotations.label(a));
                if (k < 0) {
                    continue;
                }
                annImage[kept] = i;
                annCat[kept] = k;
                System.arraycopy(annotations.boxArray(), a * 4, boxes, kept * 4, 4);
                area[kept] = annotations.value(a);
                crowd[kept] = annotations.has(a, CROWD);
                kept++;
            }
            if (kept < nAnn) {
                log.warn("{} of {} annotations name a category that is not declared; left out as pycocotools does",
                        nAnn - kept, nAnn);
            }
            return new CocoGroundTruth(imageIds, categoryIds, names, Arrays.copyOf(annImage, kept),
                    Arrays.copyOf(annCat, kept), Arrays.copyOf(boxes, kept * 4), Arrays.copyOf(area, kept),
                    Arrays.copyOf(crowd, kept));
        }
    }
}
