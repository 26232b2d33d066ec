package org.retinanet4j.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.boxes.BoxCoder;
import org.retinanet4j.boxes.Nms;
import org.retinanet4j.preprocess.ResizeInfo;

/**
 * Turns RetinaNet outputs into detections, as torchvision 0.14's {@code RetinaNet.postprocess_detections}, then maps
 * the boxes back to original image pixels.
 *
 * <p>Per image and per pyramid level: sigmoid scores (index {@code anchor * K + class}), keep scores strictly above
 * {@code scoreThreshold}, keep the {@code topKCandidates} best (ranked by logit, which orders as the float32 score
 * does; equal logits: lower index first; torchvision's {@code topk} leaves the order of equal scores unspecified), decode against the anchors
 * ({@link BoxCoder}, weights 1), clip to the resized unpadded image. Then class-wise NMS over all levels
 * ({@link Nms#batchedNms}), keep the first {@code detectionsPerImage}, and multiply x by original / resized width
 * and y by original / resized height (float32, as torchvision's {@code resize_boxes}). NaN logits are dropped as in
 * torchvision, with a warning that counts them.
 */
public final class DetectionDecoder {

    private static final Logger log = LoggerFactory.getLogger(DetectionDecoder.class);

    private final AnchorGenerator anchorGenerator;
    private final DecoderConfig config;
    private final List<String> classNames;
    private final BoxCoder boxCoder = new BoxCoder();

    /**
     * @param anchorGenerator the anchors the network was trained with
     * @param config          thresholds and limits
     * @param classNames      name of each class index (may be {@code null}: names become {@code class_<index>})
     */
    public DetectionDecoder(AnchorGenerator anchorGenerator, DecoderConfig config, List<String> classNames) {
        if (anchorGenerator == null || config == null) {
            throw new IllegalArgumentException("DetectionDecoder: anchorGenerator and config must not be null");
        }
        this.anchorGenerator = anchorGenerator;
        this.config = config;
        this.classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    public DecoderConfig config() {
        return config;
    }

    /** The anchors the outputs are decoded against. */
    public AnchorGenerator anchorGenerator() {
        return anchorGenerator;
    }

    /**
     * Decodes a minibatch: {@code clsLogits [N, A*K]}, {@code boxRegression [N, A*4]}; every image's
     * {@link ResizeInfo} must have the network input size as its padded size.
     */
    public List<List<Detection>> decode(INDArray clsLogits, INDArray boxRegression, List<ResizeInfo> resizeInfos) {
        ResizeInfo first = firstInfo(resizeInfos);
        float[] anchors = anchorGenerator.anchors(first.paddedHeight(), first.paddedWidth());
        return decode(clsLogits, boxRegression, anchors, resizeInfos, classNames);
    }

    /** As {@link #decode(INDArray, INDArray, List)} with anchors and class names given by the caller. */
    public List<List<Detection>> decode(INDArray clsLogits, INDArray boxRegression, float[] anchors,
                                        List<ResizeInfo> resizeInfos, List<String> names) {
        ResizeInfo first = firstInfo(resizeInfos);
        int numAnchors = anchors.length / 4;
        if (anchors.length % 4 != 0) {
            throw new IllegalArgumentException("DetectionDecoder: anchors need 4 values per anchor, got " + anchors.length);
        }
        int[] perLevel = anchorGenerator.anchorsPerLevel(first.paddedHeight(), first.paddedWidth());
        if (Arrays.stream(perLevel).sum() != numAnchors) {
            throw new IllegalArgumentException("DetectionDecoder: " + numAnchors + " anchors given, but a "
                    + first.paddedHeight() + "x" + first.paddedWidth() + " input has " + Arrays.stream(perLevel).sum());
        }
        long n = clsLogits.rank() == 2 ? clsLogits.size(0) : -1;
        if (clsLogits.rank() != 2 || boxRegression.rank() != 2 || boxRegression.size(0) != n
                || n != resizeInfos.size()) {
            throw new IllegalArgumentException("DetectionDecoder: expected clsLogits [N, A*K] and boxRegression [N, A*4] "
                    + "with N = " + resizeInfos.size() + " images, got " + Arrays.toString(clsLogits.shape()) + " and "
                    + Arrays.toString(boxRegression.shape()));
        }
        if (boxRegression.size(1) != numAnchors * 4L || clsLogits.size(1) % numAnchors != 0) {
            throw new IllegalArgumentException("DetectionDecoder: outputs " + Arrays.toString(clsLogits.shape()) + " / "
                    + Arrays.toString(boxRegression.shape()) + " do not fit " + numAnchors + " anchors");
        }
        int numClasses = (int) (clsLogits.size(1) / numAnchors);
        List<List<Detection>> result = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) {
            ResizeInfo info = resizeInfos.get(i);
            if (info.paddedHeight() != first.paddedHeight() || info.paddedWidth() != first.paddedWidth()) {
                throw new IllegalArgumentException("DetectionDecoder: image " + i + " has padded size "
                        + info.paddedHeight() + "x" + info.paddedWidth() + ", image 0 has " + first.paddedHeight()
                        + "x" + first.paddedWidth() + " (one minibatch has one input size)");
            }
            float[] logits = clsLogits.getRow(i).toFloatVector();
            float[] regression = boxRegression.getRow(i).toFloatVector();
            RawDetections raw = decodeImage(logits, regression, anchors, perLevel, numClasses,
                    info.resizedHeight(), info.resizedWidth());
            result.add(toDetections(raw, info, names == null ? List.of() : names));
        }
        return result;
    }

    /**
     * torchvision's {@code postprocess_detections} for one image, in network-input pixels.
     *
     * @param logits          {@code A*K} class logits
     * @param regression      {@code A*4} box regressions
     * @param anchors         {@code A*4} anchors
     * @param anchorsPerLevel anchors on each level, finest first (sums to A)
     * @param imageHeight     resized (unpadded) image height, boxes are clipped to it
     * @param imageWidth      resized (unpadded) image width
     */
    public RawDetections decodeImage(float[] logits, float[] regression, float[] anchors, int[] anchorsPerLevel,
                                     int numClasses, int imageHeight, int imageWidth) {
        checkImageInputs(logits, regression, anchors, anchorsPerLevel, numClasses, imageHeight, imageWidth);
        // sigmoid is monotonic in float32 too, so "score > threshold" is "logit >= minLogit" and candidates can be
        // ranked by logit: no exp for the millions of logits of a level, only for the top-k survivors.
        float minLogit = minLogitAbove((float) config.scoreThreshold());
        int capacity = 0;
        int largestLevel = 0;
        for (int count : anchorsPerLevel) {
            int perLevel = (int) Math.min(config.topKCandidates(), (long) count * numClasses);
            capacity = Math.addExact(capacity, perLevel);
            largestLevel = Math.max(largestLevel, perLevel);
        }
        float[] boxes = new float[capacity * 4];
        float[] scores = new float[capacity];
        int[] labels = new int[capacity];
        int total = 0;
        int levelStart = 0;
        TopKSelector topK = new TopKSelector(largestLevel);
        long nanLogits = 0;
        for (int count : anchorsPerLevel) {
            int from = levelStart * numClasses;
            int to = (levelStart + count) * numClasses;
            topK.reset();
            for (int idx = from; idx < to; idx++) {
                float logit = logits[idx];
                if (logit >= minLogit) {
                    topK.offer(packDescending(logit, idx - from));
                } else if (logit != logit) {
                    nanLogits++;
                }
            }
            for (long key : topK.sorted()) {
                int flat = from + (int) key;
                int anchor = flat / numClasses;
                scores[total] = sigmoid(logits[flat]);
                labels[total] = flat % numClasses;
                int out = total * 4;
                boxCoder.decode(regression, anchor * 4, anchors, anchor * 4, boxes, out);
                boxes[out] = clamp(boxes[out], imageWidth);
                boxes[out + 1] = clamp(boxes[out + 1], imageHeight);
                boxes[out + 2] = clamp(boxes[out + 2], imageWidth);
                boxes[out + 3] = clamp(boxes[out + 3], imageHeight);
                total++;
            }
            levelStart += count;
        }
        if (nanLogits > 0) {
            // torchvision drops NaN scores silently; a NaN logit means a diverged or broken model, so say so
            log.warn("{} of {} class logits are NaN and were dropped (diverged model or broken weights?)", nanLogits,
                    logits.length);
        }
        int[] kept = Nms.batchedNms(boxes, scores, labels, total, config.nmsIouThreshold());
        int n = Math.min(kept.length, config.detectionsPerImage());
        float[] outBoxes = new float[n * 4];
        float[] outScores = new float[n];
        int[] outLabels = new int[n];
        for (int i = 0; i < n; i++) {
            int k = kept[i];
            System.arraycopy(boxes, k * 4, outBoxes, i * 4, 4);
            outScores[i] = scores[k];
            outLabels[i] = labels[k];
        }
        return new RawDetections(outBoxes, outScores, outLabels);
    }

    private static void checkImageInputs(float[] logits, float[] regression, float[] anchors, int[] anchorsPerLevel,
                                         int numClasses, int imageHeight, int imageWidth) {
        long numAnchors = 0;
        for (int count : anchorsPerLevel) {
            if (count < 0) {
                throw new IllegalArgumentException("DetectionDecoder: anchorsPerLevel has a negative count " + count);
            }
            numAnchors += count;
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("DetectionDecoder: numClasses must be > 0, got " + numClasses);
        }
        if (anchors.length != numAnchors * 4 || regression.length != numAnchors * 4
                || logits.length != numAnchors * numClasses) {
            throw new IllegalArgumentException("DetectionDecoder: " + numAnchors + " anchors (sum of anchorsPerLevel) x "
                    + numClasses + " classes need " + numAnchors * numClasses + " logits and " + numAnchors * 4
                    + " regression and anchor values, got " + logits.length + ", " + regression.length + " and "
                    + anchors.length);
        }
        if (imageHeight <= 0 || imageWidth <= 0) {
            throw new IllegalArgumentException("DetectionDecoder: image size must be positive, got " + imageHeight
                    + "x" + imageWidth);
        }
    }

    private static List<Detection> toDetections(RawDetections raw, ResizeInfo info, List<String> names) {
        float fx = info.xToOriginal();
        float fy = info.yToOriginal();
        List<Detection> detections = new ArrayList<>(raw.size());
        float[] b = raw.boxes();
        for (int i = 0; i < raw.size(); i++) {
            int label = raw.labels()[i];
            String name = label < names.size() ? names.get(label) : "class_" + label;
            detections.add(new Detection(b[i * 4] * fx, b[i * 4 + 1] * fy, b[i * 4 + 2] * fx, b[i * 4 + 3] * fy,
                    label, name, raw.scores()[i]));
        }
        return detections;
    }

    /** float32 sigmoid as torch computes it: 1 / (1 + exp(-x)). */
    static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    /** Smallest float logit whose float32 sigmoid is strictly above {@code threshold} (binary search on the bits). */
    static float minLogitAbove(float threshold) {
        int lo = sortableBits(-200f); // sigmoid(-200) == 0 in float32
        int hi = sortableBits(200f);  // sigmoid(200) == 1
        if (!(sigmoid(fromSortableBits(hi)) > threshold)) {
            return Float.POSITIVE_INFINITY; // nothing passes (threshold >= 1)
        }
        while (lo < hi) {
            int mid = (int) (((long) lo + hi) >> 1);
            if (sigmoid(fromSortableBits(mid)) > threshold) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return fromSortableBits(lo);
    }

    private static int sortableBits(float f) {
        int bits = Float.floatToIntBits(f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    private static float fromSortableBits(int s) {
        return Float.intBitsToFloat(s ^ ((s >> 31) & 0x7fffffff));
    }

    private static float clamp(float v, int max) {
        return Math.min(Math.max(v, 0f), (float) max);
    }

    /** Sort key: descending value in the high half, index (ascending on ties) in the low half. */
    private static long packDescending(float value, int index) {
        return ((long) ~sortableBits(value) << 32) | index;
    }

    private static ResizeInfo firstInfo(List<ResizeInfo> infos) {
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("DetectionDecoder: one ResizeInfo per image is required");
        }
        return infos.get(0);
    }
}
