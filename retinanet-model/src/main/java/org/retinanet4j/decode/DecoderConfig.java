package org.retinanet4j.decode;

/**
 * Settings of RetinaNet post-processing (torchvision's {@code RetinaNet} defaults).
 *
 * @param scoreThreshold     keep a class score only when strictly greater (torchvision {@code score_thresh}, 0.05)
 * @param topKCandidates     at most this many candidates per pyramid level before NMS ({@code topk_candidates}, 1000)
 * @param nmsIouThreshold    class-wise NMS suppresses boxes whose IoU with a kept box is strictly greater
 *                           ({@code nms_thresh}, 0.5)
 * @param detectionsPerImage keep at most this many detections per image after NMS ({@code detections_per_img}: 300;
 *                           COCO evaluation uses 100)
 */
public record DecoderConfig(double scoreThreshold, int topKCandidates, double nmsIouThreshold, int detectionsPerImage) {

    public static final double DEFAULT_SCORE_THRESHOLD = 0.05;
    public static final int DEFAULT_TOP_K_CANDIDATES = 1000;
    public static final double DEFAULT_NMS_IOU_THRESHOLD = 0.5;
    public static final int DEFAULT_DETECTIONS_PER_IMAGE = 300;
    public static final int COCO_EVAL_DETECTIONS_PER_IMAGE = 100;

    public DecoderConfig {
        if (!(scoreThreshold >= 0 && scoreThreshold < 1)) {
            throw new IllegalArgumentException("DecoderConfig.scoreThreshold must be in [0, 1), got " + scoreThreshold);
        }
        if (topKCandidates <= 0) {
            throw new IllegalArgumentException("DecoderConfig.topKCandidates must be > 0, got " + topKCandidates);
        }
        if (!(nmsIouThreshold >= 0 && nmsIouThreshold <= 1)) {
            throw new IllegalArgumentException("DecoderConfig.nmsIouThreshold must be in [0, 1], got " + nmsIouThreshold);
        }
        if (detectionsPerImage <= 0) {
            throw new IllegalArgumentException("DecoderConfig.detectionsPerImage must be > 0, got " + detectionsPerImage);
        }
    }

    /** torchvision's defaults: 0.05, 1000 per level, NMS 0.5, 300 per image. */
    public static DecoderConfig torchvisionDefault() {
        return new DecoderConfig(DEFAULT_SCORE_THRESHOLD, DEFAULT_TOP_K_CANDIDATES, DEFAULT_NMS_IOU_THRESHOLD,
                DEFAULT_DETECTIONS_PER_IMAGE);
    }

    /** COCO evaluation: as torchvision's defaults but at most 100 detections per image (COCO's maxDets). */
    public static DecoderConfig cocoEvaluation() {
        return torchvisionDefault().withDetectionsPerImage(COCO_EVAL_DETECTIONS_PER_IMAGE);
    }

    public DecoderConfig withScoreThreshold(double value) {
        return new DecoderConfig(value, topKCandidates, nmsIouThreshold, detectionsPerImage);
    }

    public DecoderConfig withTopKCandidates(int value) {
        return new DecoderConfig(scoreThreshold, value, nmsIouThreshold, detectionsPerImage);
    }

    public DecoderConfig withNmsIouThreshold(double value) {
        return new DecoderConfig(scoreThreshold, topKCandidates, value, detectionsPerImage);
    }

    public DecoderConfig withDetectionsPerImage(int value) {
        return new DecoderConfig(scoreThreshold, topKCandidates, nmsIouThreshold, value);
    }
}
