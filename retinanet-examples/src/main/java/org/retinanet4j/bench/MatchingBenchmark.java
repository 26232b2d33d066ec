package org.retinanet4j.bench;

import java.util.Arrays;
import java.util.Random;

import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.targets.AnchorMatcher;

/**
 * Times the full {@link AnchorMatcher} (IoU of every anchor against every box, thresholds, low-quality rule) on the
 * 119,718 anchors of a 768x832 input against 50 random boxes; tools/bench_torch_matching_nms.py times torchvision's
 * {@code box_iou} + {@code Matcher} on the same setting.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.MatchingBenchmark ./retinanet [boxes] [runs]</pre>
 */
public final class MatchingBenchmark {

    static final int HEIGHT = 768;
    static final int WIDTH = 832;

    private MatchingBenchmark() {
    }

    public static void main(String[] args) {
        int numBoxes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        float[] anchors = new AnchorGenerator(AnchorConfig.torchvisionDefault()).anchors(HEIGHT, WIDTH);
        float[] boxes = randomBoxes(new Random(0), numBoxes, WIDTH, HEIGHT);
        AnchorMatcher matcher = new AnchorMatcher();
        long checksum = 0;
        for (int i = 0; i < 10; i++) { // warm-up: let the JIT compile the loops
            checksum += Arrays.stream(matcher.match(anchors, boxes)).filter(m -> m >= 0).count();
        }
        long[] nanos = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            int[] matches = matcher.match(anchors, boxes);
            nanos[r] = System.nanoTime() - t0;
            checksum += matches[r % matches.length];
        }
        System.out.printf("Matcher: %d anchors x %d boxes: %s (checksum %d)%n", anchors.length / 4, numBoxes,
                BenchTimes.describe(nanos), checksum);
    }

    /** Boxes of 16..400 px with random corners inside the image. */
    static float[] randomBoxes(Random random, int n, int width, int height) {
        float[] boxes = new float[n * 4];
        for (int i = 0; i < n; i++) {
            float w = 16 + random.nextFloat() * 384;
            float h = 16 + random.nextFloat() * 384;
            float x = random.nextFloat() * Math.max(1, width - w);
            float y = random.nextFloat() * Math.max(1, height - h);
            boxes[i * 4] = x;
            boxes[i * 4 + 1] = y;
            boxes[i * 4 + 2] = x + w;
            boxes[i * 4 + 3] = y + h;
        }
        return boxes;
    }
}
