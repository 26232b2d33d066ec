package org.retinanet4j.bench;

import java.util.Random;

import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.decode.DetectionDecoder;
import org.retinanet4j.decode.RawDetections;

/**
 * Times {@link DetectionDecoder#decodeImage} (torchvision's {@code postprocess_detections} for one image) on the
 * outputs of an 800x1216 input with 91 classes: 182,403 anchors, 16.6 M logits uniform in [-6, -2] (about a
 * quarter above the 0.05 score threshold, so every level hits the 1,000 top-k cap) and regressions uniform in
 * [-0.5, 0.5]. tools/bench_torch_matching_nms.py times torchvision on the same distribution.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.DecoderBenchmark ./retinanet [runs]</pre>
 */
public final class DecoderBenchmark {

    private DecoderBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int height = 800;
        int width = 1216;
        int numClasses = 91;
        AnchorGenerator generator = new AnchorGenerator(AnchorConfig.torchvisionDefault());
        float[] anchors = generator.anchors(height, width);
        int numAnchors = anchors.length / 4;
        Random random = new Random(0);
        float[] logits = new float[numAnchors * numClasses];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = -6f + 4f * random.nextFloat();
        }
        float[] regression = new float[numAnchors * 4];
        for (int i = 0; i < regression.length; i++) {
            regression[i] = random.nextFloat() - 0.5f;
        }
        DetectionDecoder decoder = new DetectionDecoder(generator, DecoderConfig.torchvisionDefault(), null);
        int[] perLevel = generator.anchorsPerLevel(height, width);
        long checksum = 0;
        for (int i = 0; i < 5; i++) {
            checksum += decoder.decodeImage(logits, regression, anchors, perLevel, numClasses, height, width).size();
        }
        long[] nanos = new long[runs];
        int detections = 0;
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            RawDetections raw = decoder.decodeImage(logits, regression, anchors, perLevel, numClasses, height, width);
            nanos[r] = System.nanoTime() - t0;
            detections = raw.size();
        }
        System.out.printf("decodeImage: %d anchors x %d classes -> %d detections: %s (checksum %d)%n", numAnchors,
                numClasses, detections, BenchTimes.describe(nanos), checksum);
    }
}
