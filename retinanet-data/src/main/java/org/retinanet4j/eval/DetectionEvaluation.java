package org.retinanet4j.eval;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.nd4j.evaluation.BaseEvaluation;
import org.nd4j.evaluation.IMetric;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.boxes.BoxTable;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.decode.Detection;

/**
 * Object-detection evaluation for DL4J's evaluation API: accumulates ground truth and detections image by image
 * (over batches, on several workers), {@link #merge merges} workers' instances, and reports the 12 COCO
 * statistics ({@link CocoEvaluator}, pycocotools' semantics) and Pascal VOC mAP at IoU 0.5
 * ({@link VocEvaluator}; continuous coordinates unless {@link #setVocPixelInclusive}).
 *
 * <p>Ways to feed it:
 * <ul>
 *   <li>{@link #addImage}, {@link #addGroundTruth}, {@link #addDetection}: primitive values, COCO {@code x, y,
 *       w, h} boxes and category ids;</li>
 *   <li>{@link #addDataset(DetectionDataset)} and {@link #addDetections(long, List)} (decoder output, class
 *       indices mapped to category ids with the {@code categoryIds} given at construction);</li>
 *   <li>{@link #eval(INDArray, INDArray, INDArray, List)} with padded arrays: labels {@code [N, G, 7]} rows
 *       {@code x1, y1, x2, y2, classIndex, crowd, difficult}, predictions {@code [N, D, 6]} rows
 *       {@code x1, y1, x2, y2, classIndex, score}; rows with {@code classIndex < 0} are padding. Image ids come
 *       from the record metadata when it holds numbers, else they are numbered in the order seen.</li>
 * </ul>
 * Ground-truth area is the box area unless given ({@link #addGroundTruth}). Images named by a box or a
 * detection count as evaluated images even if not declared with {@link #addImage}.
 *
 * <p>Serialisation: Java serialisation and DL4J's {@link #toJson()}/{@link #toYaml()} with
 * {@code BaseEvaluation.fromJson(json, DetectionEvaluation.class)}: the accumulated boxes are two
 * {@link BoxTable}s of plain arrays (trimmed before writing), so a restored instance evaluates to the same numbers.
 */
public final class DetectionEvaluation extends BaseEvaluation<DetectionEvaluation> {
    private static final long serialVersionUID = 1L;
    private static final int CROWD = 1;
    private static final int DIFFICULT = 2;

    private int[] categoryIds;
    private String[] categoryNames;
    private long nextAutoImageId;
    private boolean vocPixelInclusive;

    private long[] images = new long[16];
    private int numImages;
    // boxes x, y, w, h and category ids; ground truth: value = area, flags CROWD | DIFFICULT; detections: value = score
    private BoxTable groundTruth = new BoxTable();
    private BoxTable detections = new BoxTable();

    private transient CocoEvalResult cachedCoco;

    /** For Jackson; categories are then taken from the ground truth seen (named by their ids). */
    public DetectionEvaluation() {
        this(null, null);
    }

    /**
     * @param categoryIds   category id of each class index (index {@code k} of a {@link Detection} or of the
     *                      label arrays); null: class index = category id
     * @param categoryNames names of those categories (may be null)
     */
    public DetectionEvaluation(int[] categoryIds, String[] categoryNames) {
        this.categoryIds = categoryIds == null ? null : categoryIds.clone();
        this.categoryNames = categoryNames == null ? null : categoryNames.clone();
    }

    /** Declares an evaluated image (images without boxes or detections still count for COCO). */
    public DetectionEvaluation addImage(long imageId) {
        if (numImages == images.length) {
            images = Arrays.copyOf(images, numImages * 2);
        }
        images[numImages++] = imageId;
        cachedCoco = null;
        return this;
    }

    /** One ground-truth box {@code x, y, w, h}; {@code area} decides small/medium/large (COCO's {@code area}). */
    public DetectionEvaluation addGroundTruth(long imageId, int categoryId, double x, double y, double w, double h,
                                              double area, boolean crowd, boolean difficult) {
        groundTruth.add(imageId, categoryId, x, y, w, h, area, (crowd ? CROWD : 0) | (difficult ? DIFFICULT : 0));
        cachedCoco = null;
        return this;
    }

    /** One detection {@code x, y, w, h} with its score (checked: finite, non-negative size). */
    public DetectionEvaluation addDetection(long imageId, int categoryId, double x, double y, double w, double h,
                                            double score) {
        if (!Double.isFinite(score) || !(w >= 0) || !(h >= 0)) {
            throw new IllegalArgumentException("detection #" + detections.size() + " (image " + imageId + "): score "
                    + score + ", size " + w + " x " + h + "; scores must be finite and sizes non-negative");
        }
        detections.add(imageId, categoryId, x, y, w, h, score, 0);
        cachedCoco = null;
        return this;
    }

    /** Every image and box of a dataset (raw {@code x, y, w, h}, area, crowd and difficult flags). */
    public DetectionEvaluation addDataset(DetectionDataset dataset) {
        for (int i = 0; i < dataset.numImages(); i++) {
            long id = dataset.imageId(i);
            addImage(id);
            for (int b = dataset.firstBox(i), end = b + dataset.numBoxes(i); b < end; b++) {
                addGroundTruth(id, (int) dataset.categoryId(b), dataset.rawXywh(b, 0), dataset.rawXywh(b, 1),
                        dataset.rawXywh(b, 2), dataset.rawXywh(b, 3), dataset.area(b), dataset.isCrowd(b),
                        dataset.isDifficult(b));
            }
        }
        return this;
    }

    /** The decoder's detections of one image (boxes in original image pixels). */
    public DetectionEvaluation addDetections(long imageId, List<Detection> detections) {
        for (Detection d : detections) {
            addDetection(imageId, categoryOf(d.classIndex()), d.x1(), d.y1(), d.x2() - d.x1(), d.y2() - d.y1(),
                    d.score());
        }
        return this;
    }

    @Override
    public void eval(INDArray labels, INDArray networkPredictions, INDArray maskArray,
                     List<? extends Serializable> recordMetaData) {
        if (labels.rank() != 3 || labels.size(2) != 7 || networkPredictions.rank() != 3
                || networkPredictions.size(2) != 6 || labels.size(0) != networkPredictions.size(0)) {
            throw new IllegalArgumentException("DetectionEvaluation expects labels [N, G, 7] (x1, y1, x2, y2,"
                    + " classIndex, crowd, difficult) and predictions [N, D, 6] (x1, y1, x2, y2, classIndex, score);"
                    + " got " + Arrays.toString(labels.shape()) + " and "
                    + Arrays.toString(networkPredictions.shape()));
        }
        int n = (int) labels.size(0);
        double[][][] l = toArray3(labels);
        double[][][] p = toArray3(networkPredictions);
        for (int i = 0; i < n; i++) {
            long imageId = imageIdOf(recordMetaData, i);
            addImage(imageId);
            for (double[] row : l[i]) {
                if (row[4] >= 0) {
                    double w = row[2] - row[0];
                    double h = row[3] - row[1];
                    addGroundTruth(imageId, categoryOf((int) row[4]), row[0], row[1], w, h, w * h, row[5] != 0,
                            row[6] != 0);
                }
            }
            for (double[] row : p[i]) {
                if (row[4] >= 0) {
                    addDetection(imageId, categoryOf((int) row[4]), row[0], row[1], row[2] - row[0],
                            row[3] - row[1], row[5]);
                }
            }
        }
    }

    private static double[][][] toArray3(INDArray a) {
        long[] s = a.shape();
        double[] flat = a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        double[][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]];
        int k = 0;
        for (double[][] m : out) {
            for (double[] row : m) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = flat[k++];
                }
            }
        }
        return out;
    }

    private long imageIdOf(List<? extends Serializable> meta, int i) {
        if (meta != null && i < meta.size() && meta.get(i) instanceof Number num) {
            return num.longValue();
        }
        return nextAutoImageId++;
    }

    private int categoryOf(int classIndex) {
        if (categoryIds == null) {
            return classIndex;
        }
        if (classIndex < 0 || classIndex >= categoryIds.length) {
            throw new IllegalArgumentException("class index " + classIndex + " outside 0.." + (categoryIds.length - 1));
        }
        return categoryIds[classIndex];
    }

    /** Appends another worker's images, boxes and detections; the two must not share image ids. */
    @Override
    public void merge(DetectionEvaluation other) {
        if (other == null || other == this) {
            return;
        }
        long[] mine = Arrays.copyOf(images, numImages);
        long[] theirs = Arrays.copyOf(other.images, other.numImages);
        Arrays.sort(mine);
        Arrays.sort(theirs);
        for (int i = 0, j = 0; i < mine.length && j < theirs.length; ) {
            if (mine[i] == theirs[j]) {
                throw new IllegalArgumentException("cannot merge: image " + mine[i] + " was evaluated by both"
                        + " instances (its boxes would count twice)");
            }
            if (mine[i] < theirs[j]) {
                i++;
            } else {
                j++;
            }
        }
        for (int i = 0; i < other.numImages; i++) {
            addImage(other.images[i]);
        }
        groundTruth.addAll(other.groundTruth);
        detections.addAll(other.detections);
        nextAutoImageId = Math.max(nextAutoImageId, other.nextAutoImageId);
    }

    @Override
    public void reset() {
        numImages = 0;
        groundTruth.clear();
        detections.clear();
        nextAutoImageId = 0;
        cachedCoco = null;
    }

    /** COCO evaluation of everything accumulated. */
    public CocoEvalResult cocoResult() {
        if (cachedCoco == null) {
            CocoGroundTruth.Builder b = CocoGroundTruth.builder();
            for (int i = 0; i < numImages; i++) {
                b.addImage(images[i]);
            }
            for (int g = 0; g < groundTruth.size(); g++) {
                b.addImage(groundTruth.image(g)); // an image with boxes is evaluated even if not declared
                b.addAnnotation(groundTruth.image(g), groundTruth.label(g), groundTruth.box(g, 0),
                        groundTruth.box(g, 1), groundTruth.box(g, 2), groundTruth.box(g, 3), groundTruth.value(g),
                        groundTruth.has(g, CROWD));
            }
            for (int k : categoryList()) {
                b.addCategory(k, nameOf(k));
            }
            for (int d = 0; d < detections.size(); d++) {
                b.addImage(detections.image(d)); // an image with detections was evaluated, even without boxes
            }
            CocoDetections dt = cocoDetections();
            cachedCoco = new CocoEvaluator().evaluate(b.build(), dt);
        }
        return cachedCoco;
    }

    /**
     * Whether VOC IoUs use the devkit's {@code x2 - x1 + 1} widths (for VOC boxes as the XML writes them,
     * {@code VocCoordinates.AS_WRITTEN}); default false (continuous coordinates).
     */
    public DetectionEvaluation setVocPixelInclusive(boolean pixelInclusive) {
        this.vocPixelInclusive = pixelInclusive;
        return this;
    }

    /** Pascal VOC evaluation (IoU 0.5, difficult and crowd boxes ignored). */
    public VocEvaluator.Result vocResult(VocEvaluator.Metric metric) {
        VocGroundTruth gt = new VocGroundTruth();
        for (int g = 0; g < groundTruth.size(); g++) {
            double x = groundTruth.box(g, 0);
            double y = groundTruth.box(g, 1);
            gt.add(groundTruth.image(g), groundTruth.label(g), x, y, x + groundTruth.box(g, 2),
                    y + groundTruth.box(g, 3), groundTruth.has(g, DIFFICULT) || groundTruth.has(g, CROWD));
        }
        return new VocEvaluator(metric, vocPixelInclusive).evaluate(gt, cocoDetections());
    }

    private CocoDetections cocoDetections() {
        CocoDetections dt = new CocoDetections(detections.size());
        for (int d = 0; d < detections.size(); d++) {
            dt.add(detections.image(d), detections.label(d), detections.box(d, 0), detections.box(d, 1),
                    detections.box(d, 2), detections.box(d, 3), detections.value(d));
        }
        return dt;
    }

    private int[] categoryList() {
        if (categoryIds != null) {
            return categoryIds;
        }
        int[] ids = new int[groundTruth.size()];
        for (int g = 0; g < ids.length; g++) {
            ids[g] = groundTruth.label(g);
        }
        return Arrays.stream(ids).distinct().sorted().toArray();
    }

    private String nameOf(int categoryId) {
        if (categoryIds != null && categoryNames != null) {
            for (int k = 0; k < categoryIds.length; k++) {
                if (categoryIds[k] == categoryId) {
                    return categoryNames[k];
                }
            }
        }
        return String.valueOf(categoryId);
    }

    @Override
    public String stats() {
        CocoEvalResult coco = cocoResult();
        return coco.summaryTable() + String.format(Locale.ROOT,
                " Pascal VOC mAP @0.5: %.4f (11-point, VOC2007), %.4f (all-point, VOC2010+)%n",
                vocResult(VocEvaluator.Metric.VOC2007_11_POINT).map(),
                vocResult(VocEvaluator.Metric.VOC2010_ALL_POINT).map());
    }

    @Override
    public double getValue(IMetric metric) {
        if (!(metric instanceof DetectionMetric m)) {
            throw new IllegalArgumentException("DetectionEvaluation answers DetectionMetric values, not " + metric);
        }
        return switch (m) {
            case VOC_MAP_11_POINT -> vocResult(VocEvaluator.Metric.VOC2007_11_POINT).map();
            case VOC_MAP_ALL_POINT -> vocResult(VocEvaluator.Metric.VOC2010_ALL_POINT).map();
            default -> cocoResult().stats().get(m.name());
        };
    }

    @Override
    public DetectionEvaluation newInstance() {
        return new DetectionEvaluation(categoryIds, categoryNames).setVocPixelInclusive(vocPixelInclusive);
    }

    public int numImages() {
        return numImages;
    }

    public int numGroundTruth() {
        return groundTruth.size();
    }

    public int numDetections() {
        return detections.size();
    }

    @Override
    public String toJson() {
        trim();
        return super.toJson();
    }

    @Override
    public String toYaml() {
        trim();
        return super.toYaml();
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        trim();
        out.defaultWriteObject();
    }

    /** Cuts the growable arrays to their used length so that serialised forms carry no spare capacity. */
    private void trim() {
        images = Arrays.copyOf(images, Math.max(1, numImages));
        groundTruth.trim();
        detections.trim();
    }
}
