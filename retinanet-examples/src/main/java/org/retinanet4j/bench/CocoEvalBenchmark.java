package org.retinanet4j.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.eval.CocoEvalResult;
import org.retinanet4j.eval.CocoEvaluator;
import org.retinanet4j.eval.CocoGroundTruth;
import org.retinanet4j.eval.CocoGroundTruthReader;
import org.retinanet4j.eval.CocoResultsReader;

/**
 * COCO evaluation at COCO val2017 scale: 5,000 images, 80 categories, about 7.3 boxes per image (1% crowd),
 * 100 detections per image (500,000; half of them jittered copies of boxes, half random), seeded. Times the
 * evaluation in memory (evaluate + accumulate + summarize, like pycocotools' three calls) and, end to end, from
 * JSON files (reading both files + evaluation), and reports the peak heap in use.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.CocoEvalBenchmark ./retinanet [images] [detectionsPerImage] [repeats] [keepDir]</pre>
 * With {@code keepDir} the JSON files are kept there (for a comparison with tools/coco_eval_reference.py).
 */
public final class CocoEvalBenchmark {
    private static final int CATEGORIES = 80;

    private CocoEvalBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int perImage = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path keep = args.length > 3 ? Path.of(args[3]) : null;
        Path dir = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("coco-eval-bench");
        Path gtFile = dir.resolve("gt.json");
        Path dtFile = dir.resolve("dt.json");
        int[] counts = writeSynthetic(images, perImage, gtFile, dtFile, new SplittableRandom(20261129));
        System.out.printf(Locale.ROOT, "synthetic: %d images, %d categories, %d boxes, %d detections (%.0f MB of"
                        + " JSON)%n", images, CATEGORIES, counts[0], counts[1],
                (Files.size(gtFile) + Files.size(dtFile)) / 1e6);

        for (int r = 0; r < repeats; r++) {
            System.gc();
            resetPeaks();
            long t0 = System.nanoTime();
            CocoGroundTruth gt = CocoGroundTruthReader.read(gtFile);
            CocoDetections dt = CocoResultsReader.read(dtFile, gt);
            long t1 = System.nanoTime();
            CocoEvalResult result = new CocoEvaluator().evaluate(gt, dt);
            double ap = result.stats().ap();
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "run %d: read files %.2f s, evaluate %.2f s, total %.2f s; peak heap in"
                            + " use %.0f MB; AP %.4f%n", r + 1, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9,
                    peakHeapBytes() / 1e6, ap);
            if (r == repeats - 1) {
                System.out.println("stats " + result.stats().asMap());
            }
        }
        if (keep != null) {
            return;
        }
        Files.delete(gtFile);
        Files.delete(dtFile);
        Files.delete(dir);
    }

    /** Writes the ground truth and the detections as COCO JSON; returns {boxes, detections}. */
    static int[] writeSynthetic(int images, int perImage, Path gtFile, Path dtFile, SplittableRandom rnd)
            throws IOException {
        int boxes = 0;
        int dets = 0;
        try (BufferedWriter gt = Files.newBufferedWriter(gtFile); BufferedWriter dt = Files.newBufferedWriter(dtFile)) {
            gt.write("{\"images\":[");
            for (int i = 0; i < images; i++) {
                gt.write((i > 0 ? "," : "") + "{\"id\":" + (i + 1) + ",\"width\":640,\"height\":480}");
            }
            gt.write("],\"categories\":[");
            for (int c = 0; c < CATEGORIES; c++) {
                gt.write((c > 0 ? "," : "") + "{\"id\":" + categoryId(c) + ",\"name\":\"c" + c + "\"}");
            }
            gt.write("],\"annotations\":[");
            dt.write("[");
            for (int i = 0; i < images; i++) {
                int n = 1 + rnd.nextInt(13); // mean 7.3 boxes per image, as COCO val
                double[][] img = new double[n][];
                for (int b = 0; b < n; b++) {
                    double w = 4 + Math.exp(rnd.nextDouble() * Math.log(400));
                    double h = 4 + Math.exp(rnd.nextDouble() * Math.log(300));
                    double x = rnd.nextDouble() * Math.max(1, 640 - w);
                    double y = rnd.nextDouble() * Math.max(1, 480 - h);
                    int cat = categoryId(rnd.nextInt(CATEGORIES));
                    img[b] = new double[] {x, y, w, h, cat};
                    gt.write((boxes > 0 ? "," : "") + String.format(Locale.ROOT,
                            "{\"id\":%d,\"image_id\":%d,\"category_id\":%d,\"bbox\":[%.2f,%.2f,%.2f,%.2f],"
                                    + "\"area\":%.2f,\"iscrowd\":%d}", boxes + 1, i + 1, cat, x, y, w, h,
                            w * h * (0.5 + 0.5 * rnd.nextDouble()), rnd.nextInt(100) == 0 ? 1 : 0));
                    boxes++;
                }
                for (int d = 0; d < perImage; d++) {
                    double x;
                    double y;
                    double w;
                    double h;
                    int cat;
                    if (d % 2 == 0) { // near a box: jitter up to 15% of its size
                        double[] b = img[rnd.nextInt(n)];
                        x = b[0] + b[2] * 0.15 * (rnd.nextDouble() * 2 - 1);
                        y = b[1] + b[3] * 0.15 * (rnd.nextDouble() * 2 - 1);
                        w = b[2] * (1 + 0.15 * (rnd.nextDouble() * 2 - 1));
                        h = b[3] * (1 + 0.15 * (rnd.nextDouble() * 2 - 1));
                        cat = rnd.nextInt(10) == 0 ? categoryId(rnd.nextInt(CATEGORIES)) : (int) b[4];
                    } else {
                        w = 4 + rnd.nextDouble() * 300;
                        h = 4 + rnd.nextDouble() * 300;
                        x = rnd.nextDouble() * (640 - w);
                        y = rnd.nextDouble() * (480 - h);
                        cat = categoryId(rnd.nextInt(CATEGORIES));
                    }
                    dt.write((dets > 0 ? "," : "") + String.format(Locale.ROOT,
                            "{\"image_id\":%d,\"category_id\":%d,\"bbox\":[%.2f,%.2f,%.2f,%.2f],\"score\":%.3f}",
                            i + 1, cat, x, y, w, h, rnd.nextDouble()));
                    dets++;
                }
            }
            gt.write("]}");
            dt.write("]");
        }
        return new int[] {boxes, dets};
    }

    /** COCO's 80 category ids run 1..90 with gaps; the same shape here. */
    private static int categoryId(int c) {
        return c + 1 + c / 8;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
