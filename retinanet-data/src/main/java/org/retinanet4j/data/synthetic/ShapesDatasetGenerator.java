package org.retinanet4j.data.synthetic;

import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.DetectionDatasetBuilder;
import org.retinanet4j.boxes.BoxIou;
import org.retinanet4j.data.coco.CocoInstancesWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a COCO-format dataset of coloured squares (axis-aligned rectangles), circles (ellipses) and triangles on
 * plain or lightly textured backgrounds, with train and val splits: PNG images plus one instances file per split.
 * Deterministic: image {@code i} of a split depends only on the seed, the split and {@code i}, so the same config
 * gives byte-identical files. Shapes are drawn without anti-aliasing at integer coordinates, so each box is
 * exactly the extent of its painted pixels (x1,y1 inclusive, x2,y2 = last pixel + 1).
 *
 * <p>Layout: {@code root/annotations/instances_train.json}, {@code root/train/000001.png}, ... and the same for
 * {@code val}. Category ids are those of {@link ShapeKind} (1, 3, 7: non-contiguous, like COCO's).
 */
public final class ShapesDatasetGenerator {

    private static final Logger log = LoggerFactory.getLogger(ShapesDatasetGenerator.class);
    private static final double MAX_OVERLAP = 0.15;   // shapes may touch but not hide each other
    private static final int PLACEMENT_TRIES = 30;

    private final ShapesConfig config;

    public ShapesDatasetGenerator(ShapesConfig config) {
        this.config = config;
    }

    /** The category map of every shapes dataset (class index order: square, circle, triangle). */
    public static CategoryMap categories() {
        ShapeKind[] kinds = ShapeKind.values();
        long[] ids = new long[kinds.length];
        String[] names = new String[kinds.length];
        for (int k = 0; k < kinds.length; k++) {
            ids[k] = kinds[k].categoryId();
            names[k] = kinds[k].label();
        }
        return new CategoryMap(ids, names);
    }

    /** Generates both splits under {@code root} (created if needed; existing files are overwritten). */
    public ShapesDataset generate(Path root) throws IOException {
        long t0 = System.nanoTime();
        Path trainJson = root.resolve("annotations").resolve("instances_train.json");
        Path valJson = root.resolve("annotations").resolve("instances_val.json");
        Path trainDir = root.resolve("train");
        Path valDir = root.resolve("val");
        writeSplit(0, config.trainImages(), trainDir, trainJson);
        writeSplit(1, config.valImages(), valDir, valJson);
        log.info("shapes dataset: {} train + {} val images under {} in {} ms", config.trainImages(),
                config.valImages(), root, (System.nanoTime() - t0) / 1_000_000);
        return new ShapesDataset(root, trainJson, trainDir, valJson, valDir);
    }

    private void writeSplit(int split, int count, Path imageDir, Path json) throws IOException {
        Files.createDirectories(imageDir);
        CategoryMap categories = categories();
        DetectionDatasetBuilder builder = new DetectionDatasetBuilder(json.toString(), imageDir);
        long annotationId = 1;
        int size = config.imageSize();
        for (int i = 0; i < count; i++) {
            SplittableRandom rng = new SplittableRandom(mix(config.seed(), split, i));
            BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            boolean brightBackground = paintBackground(image, rng);
            String name = String.format("%06d.png", i + 1);
            int position = builder.addImage(i + 1, name, size, size);
            if (rng.nextDouble() >= config.emptyImageFraction()) {
                int objects = 1 + rng.nextInt(config.maxObjectsPerImage());
                int[] placed = new int[4 * objects];
                int n = 0;
                Graphics2D g = image.createGraphics();
                for (int o = 0; o < objects; o++) {
                    int[] box = place(rng, placed, n);
                    if (box == null) {
                        continue;   // crowded image: fewer shapes, still every drawn shape is annotated
                    }
                    System.arraycopy(box, 0, placed, 4 * n++, 4);
                    ShapeKind kind = ShapeKind.values()[rng.nextInt(ShapeKind.values().length)];
                    g.setColor(shapeColour(rng, brightBackground));
                    draw(g, kind, box);
                    int w = box[2] - box[0];
                    int h = box[3] - box[1];
                    builder.addBox(position, box[0], box[1], box[2], box[3], box[0], box[1], w, h,
                            categories.indexOfCategoryId(kind.categoryId()), (byte) 0, w * h, annotationId++);
                }
                g.dispose();
            }
            ImageIO.write(image, "png", imageDir.resolve(name).toFile());
        }
        DetectionDataset dataset = builder.build(categories);
        new CocoInstancesWriter().write(dataset, json);
    }

    /** A box [x1,y1,x2,y2] inside the image overlapping no placed box by more than MAX_OVERLAP IoU, or null. */
    private int[] place(SplittableRandom rng, int[] placed, int n) {
        int size = config.imageSize();
        for (int t = 0; t < PLACEMENT_TRIES; t++) {
            int s = config.minObjectSize() + rng.nextInt(config.maxObjectSize() - config.minObjectSize() + 1);
            double aspect = 0.75 + 0.5 * rng.nextDouble();
            int w = Math.max(4, Math.min(size, (int) Math.round(s * Math.sqrt(aspect))));
            int h = Math.max(4, Math.min(size, (int) Math.round(s / Math.sqrt(aspect))));
            int x = rng.nextInt(size - w + 1);
            int y = rng.nextInt(size - h + 1);
            int[] box = {x, y, x + w, y + h};
            boolean free = true;
            for (int k = 0; k < n && free; k++) {
                free = iou(box, placed, 4 * k) <= MAX_OVERLAP;
            }
            if (free) {
                return box;
            }
        }
        return null;
    }

    private static double iou(int[] a, int[] b, int o) {
        double inter = BoxIou.intersection(a[0], a[1], a[2], a[3], b[o], b[o + 1], b[o + 2], b[o + 3], 0);
        if (inter == 0) {
            return 0;
        }
        double union = (a[2] - a[0]) * (double) (a[3] - a[1]) + (b[o + 2] - b[o]) * (double) (b[o + 3] - b[o + 1]);
        return inter / (union - inter);
    }

    private static void draw(Graphics2D g, ShapeKind kind, int[] b) {
        int w = b[2] - b[0];
        int h = b[3] - b[1];
        switch (kind) {
            case SQUARE -> g.fillRect(b[0], b[1], w, h);
            case CIRCLE -> g.fillOval(b[0], b[1], w, h);
            case TRIANGLE -> g.fillPolygon(new int[] {b[0], b[2], b[0] + w / 2}, new int[] {b[3], b[3], b[1]}, 3);
        }
    }

    /** Plain or textured (gradient + noise) low-saturation background; returns whether it is bright. */
    private boolean paintBackground(BufferedImage image, SplittableRandom rng) {
        boolean bright = rng.nextBoolean();
        int base = bright ? 170 + rng.nextInt(50) : 30 + rng.nextInt(50);
        int[] tint = {rng.nextInt(21) - 10, rng.nextInt(21) - 10, rng.nextInt(21) - 10};
        boolean textured = rng.nextDouble() < config.texturedFraction();
        int size = image.getWidth();
        int[] row = new int[3 * size];
        WritableRaster raster = image.getRaster();
        double gx = textured ? (rng.nextDouble() - 0.5) * 30 / size : 0;
        double gy = textured ? (rng.nextDouble() - 0.5) * 30 / size : 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int noise = textured ? rng.nextInt(17) - 8 : 0;
                int v = base + (int) Math.round(gx * x + gy * y) + noise;
                for (int c = 0; c < 3; c++) {
                    row[3 * x + c] = Math.max(0, Math.min(255, v + tint[c]));
                }
            }
            raster.setPixels(0, y, size, 1, row);
        }
        return bright;
    }

    private static Color shapeColour(SplittableRandom rng, boolean brightBackground) {
        float hue = (float) rng.nextDouble();
        float saturation = 0.6f + 0.4f * (float) rng.nextDouble();
        float value = brightBackground ? 0.3f + 0.3f * (float) rng.nextDouble() : 0.7f + 0.3f * (float) rng.nextDouble();
        return Color.getHSBColor(hue, saturation, value);
    }

    /** Seed of image {@code index} of {@code split}: SplitMix-style mixing so neighbours are unrelated. */
    private static long mix(long seed, int split, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + split * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
