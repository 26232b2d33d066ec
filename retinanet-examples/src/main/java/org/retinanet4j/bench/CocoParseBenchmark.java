package org.retinanet4j.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Parses a generated COCO instances file the size of train2017 (118,287 images, 860,001 boxes by default; about
 * 450 MB with polygon segmentations of 16..40 points, 1% crowd RLE annotations, COCO's 80 category ids, all the
 * usual image fields) and reports seconds and peak heap per parse. The file is written to a temp folder first and
 * deleted at the end. Run with a 1 GB heap:
 *
 * <pre>RETINANET_HEAP=1g RETINANET_MAIN=org.retinanet4j.bench.CocoParseBenchmark ./retinanet [images] [boxes] [runs]</pre>
 */
public final class CocoParseBenchmark {

    private static final int[] COCO_IDS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
            23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53,
            54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85,
            86, 87, 88, 89, 90};

    private CocoParseBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 118_287;
        int boxes = args.length > 1 ? Integer.parseInt(args[1]) : 860_001;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("coco-parse-bench");
        Path file = dir.resolve("instances_synthetic_train2017.json");
        try {
            long t0 = System.nanoTime();
            generate(file, images, boxes, 2017);
            System.out.printf(Locale.ROOT, "generated %s: %d images, %d boxes, %.1f MB in %.1f s%n", file, images,
                    boxes, Files.size(file) / 1e6, (System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "max heap %.0f MB, %d processors%n",
                    Runtime.getRuntime().maxMemory() / 1048576.0, Runtime.getRuntime().availableProcessors());
            for (int r = 0; r < runs; r++) {
                HeapPeak.reset();
                long start = System.nanoTime();
                DetectionDataset d = new CocoInstancesReader().read(file, dir);
                double seconds = (System.nanoTime() - start) / 1e9;
                long peak = HeapPeak.peakBytes();
                long retained = HeapPeak.usedAfterGc();
                System.out.printf(Locale.ROOT, "run %d: parsed %d images, %d boxes, %d classes in %.2f s; "
                        + "peak heap %.0f MB; heap after GC with the dataset held %.0f MB%n", r + 1, d.numImages(),
                        d.numBoxes(), d.categories().size(), seconds, peak / 1048576.0, retained / 1048576.0);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /** Writes a train2017-like file: same record layout and field set, random but plausible values. */
    static void generate(Path file, int images, int boxes, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] widths = new int[images];
        int[] heights = new int[images];
        long[] ids = new long[images];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
             JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart("info");
            g.writeStringField("description", "synthetic COCO-format file of train2017's size");
            g.writeNumberField("year", 2017);
            g.writeEndObject();
            g.writeArrayFieldStart("licenses");
            g.writeStartObject();
            g.writeNumberField("id", 1);
            g.writeStringField("name", "synthetic");
            g.writeEndObject();
            g.writeEndArray();
            g.writeArrayFieldStart("images");
            for (int i = 0; i < images; i++) {
                ids[i] = 9L + i * 4L + rng.nextInt(4);
                boolean landscape = rng.nextDouble() < 0.7;
                widths[i] = landscape ? 640 : 360 + rng.nextInt(121);
                heights[i] = landscape ? 360 + rng.nextInt(121) : 640;
                String name = String.format(Locale.ROOT, "%012d.jpg", ids[i]);
                g.writeStartObject();
                g.writeNumberField("license", 1 + rng.nextInt(8));
                g.writeStringField("file_name", name);
                g.writeStringField("coco_url", "http://images.cocodataset.org/train2017/" + name);
                g.writeNumberField("height", heights[i]);
                g.writeNumberField("width", widths[i]);
                g.writeStringField("date_captured", "2013-11-14 11:18:45");
                g.writeStringField("flickr_url", "http://farm1.staticflickr.com/1/" + ids[i] + "_abcdef.jpg");
                g.writeNumberField("id", ids[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            for (int a = 0; a < boxes; a++) {
                int i = rng.nextInt(images);
                double w = 2 + rng.nextDouble() * (widths[i] - 3);
                double h = 2 + rng.nextDouble() * (heights[i] - 3);
                double x = rng.nextDouble() * (widths[i] - w);
                double y = rng.nextDouble() * (heights[i] - h);
                boolean crowd = rng.nextDouble() < 0.01;
                g.writeStartObject();
                g.writeFieldName("segmentation");
                if (crowd) {
                    g.writeStartObject();
                    g.writeArrayFieldStart("counts");
                    for (int k = 0; k < 60; k++) {
                        g.writeNumber(rng.nextInt(500));
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("size");
                    g.writeNumber(heights[i]);
                    g.writeNumber(widths[i]);
                    g.writeEndArray();
                    g.writeEndObject();
                } else {
                    g.writeStartArray();
                    g.writeStartArray();
                    int points = 16 + rng.nextInt(25);
                    for (int k = 0; k < points; k++) {
                        g.writeNumber(round2(x + rng.nextDouble() * w));
                        g.writeNumber(round2(y + rng.nextDouble() * h));
                    }
                    g.writeEndArray();
                    g.writeEndArray();
                }
                g.writeNumberField("area", round2(w * h * 0.6));
                g.writeNumberField("iscrowd", crowd ? 1 : 0);
                g.writeNumberField("image_id", ids[i]);
                g.writeArrayFieldStart("bbox");
                g.writeNumber(round2(x));
                g.writeNumber(round2(y));
                g.writeNumber(round2(w));
                g.writeNumber(round2(h));
                g.writeEndArray();
                g.writeNumberField("category_id", COCO_IDS[rng.nextInt(COCO_IDS.length)]);
                g.writeNumberField("id", 1_000_000_000_000L + a);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (int id : COCO_IDS) {
                g.writeStartObject();
                g.writeStringField("supercategory", "thing");
                g.writeNumberField("id", id);
                g.writeStringField("name", "category_" + id);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
