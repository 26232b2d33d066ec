package org.retinanet4j.bench;

import java.util.Random;

import org.retinanet4j.boxes.Nms;

/**
 * Times {@link Nms#nms} (one class) and {@link Nms#batchedNms} (91 classes, per-class path) on 10,000 random boxes
 * (corners uniform in a 1333x800 image, sides 10..300 px, uniform scores); tools/bench_torch_matching_nms.py times
 * torchvision's {@code nms} and {@code batched_nms} on the same distribution.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.NmsBenchmark ./retinanet [boxes] [runs]</pre>
 */
public final class NmsBenchmark {

    private NmsBenchmark() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Random random = new Random(0);
        float[] boxes = new float[n * 4];
        float[] scores = new float[n];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            float x = random.nextFloat() * 1333;
            float y = random.nextFloat() * 800;
            boxes[i * 4] = x;
            boxes[i * 4 + 1] = y;
            boxes[i * 4 + 2] = x + 10 + random.nextFloat() * 290;
            boxes[i * 4 + 3] = y + 10 + random.nextFloat() * 290;
            scores[i] = random.nextFloat();
            classes[i] = random.nextInt(91);
        }
        long checksum = 0;
        for (int i = 0; i < 5; i++) {
            checksum += Nms.nms(boxes, scores, n, 0.5).length + Nms.batchedNms(boxes, scores, classes, n, 0.5).length;
        }
        long[] single = new long[runs];
        long[] batched = new long[runs];
        int keptSingle = 0;
        int keptBatched = 0;
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            keptSingle = Nms.nms(boxes, scores, n, 0.5).length;
            long t1 = System.nanoTime();
            keptBatched = Nms.batchedNms(boxes, scores, classes, n, 0.5).length;
            single[r] = t1 - t0;
            batched[r] = System.nanoTime() - t1;
        }
        System.out.printf("nms: %d boxes, 1 class, kept %d: %s%n", n, keptSingle, BenchTimes.describe(single));
        System.out.printf("batchedNms: %d boxes, 91 classes, kept %d: %s (checksum %d)%n", n, keptBatched,
                BenchTimes.describe(batched), checksum);
    }
}
