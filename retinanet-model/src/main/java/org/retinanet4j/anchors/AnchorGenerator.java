package org.retinanet4j.anchors;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generates RetinaNet anchors exactly as torchvision 0.14's {@code AnchorGenerator} does for a ResNet-FPN input.
 *
 * <ul>
 *   <li>Base (cell) anchors per level: {@code h_ratio = sqrt(ratio)}, {@code w_ratio = 1 / h_ratio},
 *       {@code ws = w_ratio * size}, {@code hs = h_ratio * size} in float32, then
 *       {@code round([-ws, -hs, ws, hs] / 2)} with round-half-to-even ({@link Math#rint}).</li>
 *   <li>Anchor index within a location: {@code ratioIndex * numScales + scaleIndex} (ratios outer).</li>
 *   <li>Grid: {@code FeatureMapGeometry.featureSize} cells per axis, stride {@code size // cells} per axis,
 *       shifts {@code (x * strideX, y * strideY)} (no half-stride offset), no clipping.</li>
 *   <li>Output order: level (finest first), row, column, anchor; {@code float[A * 4]} of x1, y1, x2, y2.</li>
 * </ul>
 *
 * <p>Results are cached per image size (a few sizes at most are used in practice); the class is thread-safe.
 */
public final class AnchorGenerator {

    private static final int CACHE_SIZE = 8;

    private final AnchorConfig config;
    /** Per level: {@code anchorsPerLocation * 4} base anchor coordinates. */
    private final float[][] cellAnchors;
    private final Map<Long, float[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, float[]> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    public AnchorGenerator(AnchorConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("AnchorGenerator: config must not be null");
        }
        this.config = config;
        this.cellAnchors = new float[config.numLevels()][];
        for (int level = 0; level < config.numLevels(); level++) {
            cellAnchors[level] = cellAnchors(config.sizes(level), config.aspectRatios());
        }
    }

    public AnchorConfig config() {
        return config;
    }

    public int anchorsPerLocation() {
        return config.anchorsPerLocation();
    }

    public int numLevels() {
        return config.numLevels();
    }

    /** Feature-map size {@code {rows, cols}} of level index {@code levelIndex} (0 = P3 by default). */
    public int[] featureSize(int levelIndex, int imageHeight, int imageWidth) {
        checkLevel(levelIndex);
        checkSize(imageHeight, imageWidth);
        int level = config.pyramidLevel(levelIndex);
        return new int[] {FeatureMapGeometry.featureSize(level, imageHeight),
                FeatureMapGeometry.featureSize(level, imageWidth)};
    }

    /** Anchor stride {@code {strideY, strideX}} of level index {@code levelIndex}, torchvision's {@code size // cells}. */
    public int[] stride(int levelIndex, int imageHeight, int imageWidth) {
        int[] cells = featureSize(levelIndex, imageHeight, imageWidth);
        return new int[] {imageHeight / cells[0], imageWidth / cells[1]};
    }

    /** Number of anchors on each level for this image size. */
    public int[] anchorsPerLevel(int imageHeight, int imageWidth) {
        int[] counts = new int[numLevels()];
        for (int level = 0; level < counts.length; level++) {
            int[] cells = featureSize(level, imageHeight, imageWidth);
            counts[level] = Math.multiplyExact(Math.multiplyExact(cells[0], cells[1]), anchorsPerLocation());
        }
        return counts;
    }

    /** Total number of anchors A for this (padded) image size. */
    public int numAnchors(int imageHeight, int imageWidth) {
        int total = 0;
        for (int count : anchorsPerLevel(imageHeight, imageWidth)) {
            total = Math.addExact(total, count);
        }
        return total;
    }

    /** Zero-centred base anchors of one level, {@code anchorsPerLocation * 4} values (a copy). */
    public float[] cellAnchors(int levelIndex) {
        checkLevel(levelIndex);
        return cellAnchors[levelIndex].clone();
    }

    /**
     * All anchors for a (padded) network input of {@code imageHeight x imageWidth}: {@code float[A * 4]} of
     * x1, y1, x2, y2 in input pixels, in torchvision order. The returned array is a fresh copy.
     */
    public float[] anchors(int imageHeight, int imageWidth) {
        return cachedAnchors(imageHeight, imageWidth).clone();
    }

    /** Shared cached array; callers inside the library promise not to modify it. */
    float[] cachedAnchors(int imageHeight, int imageWidth) {
        checkSize(imageHeight, imageWidth);
        long key = ((long) imageHeight << 32) | imageWidth;
        synchronized (cache) {
            float[] cached = cache.get(key);
            if (cached != null) {
                return cached;
            }
        }
        float[] computed = compute(imageHeight, imageWidth);
        synchronized (cache) {
            cache.put(key, computed);
        }
        return computed;
    }

    private float[] compute(int imageHeight, int imageWidth) {
        float[] out = new float[Math.multiplyExact(numAnchors(imageHeight, imageWidth), 4)];
        int perLocation = anchorsPerLocation();
        int pos = 0;
        for (int level = 0; level < numLevels(); level++) {
            int[] cells = featureSize(level, imageHeight, imageWidth);
            int strideY = imageHeight / cells[0];
            int strideX = imageWidth / cells[1];
            float[] base = cellAnchors[level];
            for (int y = 0; y < cells[0]; y++) {
                float shiftY = (float) (y * strideY);
                for (int x = 0; x < cells[1]; x++) {
                    float shiftX = (float) (x * strideX);
                    for (int a = 0; a < perLocation; a++) {
                        int b = a * 4;
                        out[pos++] = shiftX + base[b];
                        out[pos++] = shiftY + base[b + 1];
                        out[pos++] = shiftX + base[b + 2];
                        out[pos++] = shiftY + base[b + 3];
                    }
                }
            }
        }
        return out;
    }

    /** torchvision's {@code generate_anchors} in float32, ratios outer, scales inner. */
    static float[] cellAnchors(int[] sizes, double[] aspectRatios) {
        float[] base = new float[sizes.length * aspectRatios.length * 4];
        int pos = 0;
        for (double ratio : aspectRatios) {
            float hRatio = (float) Math.sqrt((float) ratio); // correctly rounded float32 sqrt, as torch.sqrt
            float wRatio = 1f / hRatio;
            for (int size : sizes) {
                float ws = wRatio * (float) size;
                float hs = hRatio * (float) size;
                // torch.round rounds half to even: Math.rint, not Math.round (-50.5 must give -50, 101.5 -> 102)
                base[pos++] = (float) Math.rint(-ws / 2f);
                base[pos++] = (float) Math.rint(-hs / 2f);
                base[pos++] = (float) Math.rint(ws / 2f);
                base[pos++] = (float) Math.rint(hs / 2f);
            }
        }
        return base;
    }

    private void checkLevel(int levelIndex) {
        if (levelIndex < 0 || levelIndex >= numLevels()) {
            throw new IllegalArgumentException("level index must be in 0.." + (numLevels() - 1) + ", got " + levelIndex);
        }
    }

    private static void checkSize(int imageHeight, int imageWidth) {
        if (imageHeight <= 0 || imageWidth <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive, got height " + imageHeight + ", width " + imageWidth);
        }
    }
}
