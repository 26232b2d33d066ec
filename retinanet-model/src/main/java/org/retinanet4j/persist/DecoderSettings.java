package org.retinanet4j.persist;

/**
 * The post-processing settings stored with a model (the paper's defaults: score 0.05, top 1000 per level,
 * NMS IoU 0.5, 300 detections per image). Users may override them at inference time.
 */
public record DecoderSettings(float scoreThreshold, int topKPerLevel, float nmsIouThreshold, int detectionsPerImage) {

    public DecoderSettings {
        if (!(scoreThreshold >= 0 && scoreThreshold < 1)) {
            throw new IllegalArgumentException("score threshold must be in [0, 1), got " + scoreThreshold);
        }
        if (topKPerLevel <= 0 || detectionsPerImage <= 0) {
            throw new IllegalArgumentException("top-k and detections per image must be positive");
        }
        if (!(nmsIouThreshold > 0 && nmsIouThreshold <= 1)) {
            throw new IllegalArgumentException("NMS IoU threshold must be in (0, 1], got " + nmsIouThreshold);
        }
    }

    public static DecoderSettings paperDefault() {
        return new DecoderSettings(0.05f, 1000, 0.5f, 300);
    }

    public DecoderSettings withScoreThreshold(float threshold) {
        return new DecoderSettings(threshold, topKPerLevel, nmsIouThreshold, detectionsPerImage);
    }
}
