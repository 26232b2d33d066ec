package org.retinanet4j.eval;

import java.util.Arrays;

import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DetectionDataset;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ground truth for COCO evaluation in primitive arrays: the evaluated images and categories (sorted ids, as
 * pycocotools sorts them) and one row per annotation (image, category, box {@code x, y, w, h}, {@code area},
 * {@code iscrowd}). Build it with {@link Builder}; dataset readers are adapters onto the builder.
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
     * <p>The dataset stores coordinates as floats, so IoUs can differ from pycocotools' in the 7th digit; for
     * results to the last bit read the instances file with {@link CocoGroundTruthReader} (doubles).
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
        private long[] images = new long[16];
        private int nImages;
        private int[] cats = new int[16];
        private String[] catNames = new String[16];
        private int nCats;
        private long[] aImage = new long[64];
        private int[] aCat = new int[64];
        private double[] aBox = new double[256];
        private double[] aArea = new double[64];
        private boolean[] aCrowd = new boolean[64];
        private int nAnn;

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
            if (nAnn == aImage.length) {
                int n = nAnn * 2;
                aImage = Arrays.copyOf(aImage, n);
                aCat = Arrays.copyOf(aCat, n);
                aBox = Arrays.copyOf(aBox, n * 4);
                aArea = Arrays.copyOf(aArea, n);
                aCrowd = Arrays.copyOf(aCrowd, n);
            }
            aImage[nAnn] = imageId;
            aCat[nAnn] = categoryId;
            aBox[nAnn * 4] = x;
            aBox[nAnn * 4 + 1] = y;
            aBox[nAnn * 4 + 2] = w;
            aBox[nAnn * 4 + 3] = h;
            aArea[nAnn] = area;
            aCrowd[nAnn] = crowd;
            nAnn++;
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
            int kept = 0;
            int[] annImage = new int[nAnn];
            int[] annCat = new int[nAnn];
            double[] boxes = new double[nAnn * 4];
            double[] area = new double[nAnn];
            boolean[] crowd = new boolean[nAnn];
            for (int a = 0; a < nAnn; a++) {
                int i = Arrays.binarySearch(imageIds, aImage[a]);
                if (i < 0) {
                    throw new IllegalArgumentException("annotation #" + a + ": image_id " + aImage[a]
                            + " is not among the images");
                }
                int k = Arrays.binarySearch(categoryIds, aCat[a]);
                if (k < 0) {
                    continue;
                }
                annImage[kept] = i;
                annCat[kept] = k;
                System.arraycopy(aBox, a * 4, boxes, kept * 4, 4);
                area[kept] = aArea[a];
                crowd[kept] = aCrowd[a];
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
