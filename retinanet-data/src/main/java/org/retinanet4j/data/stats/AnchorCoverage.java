package org.retinanet4j.data.stats;

import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.boxes.BoxIou;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.preprocess.ResizeRule;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How well a dataset's boxes fit the anchors at a given input size: every box is resized as training resizes its
 * image ({@link ResizeRule}, padding to the network's multiple), then compared with the anchors of that padded
 * input ({@link AnchorGenerator}, IoU by {@link BoxIou}). A box whose best anchor has IoU below the matcher's
 * foreground threshold gets no anchor from the IoU rule and trains only through the low-quality match (its best
 * anchors), RetinaNet's known weak point for small objects. Crowd and difficult boxes are left out (they never
 * train as objects).
 *
 * <p>The best anchor is found exactly without comparing every anchor: for one anchor shape, IoU only falls as the
 * centres move apart along either axis, so only the grid positions nearest the box centre can be best; the
 * nearest three per axis are checked on every level and anchor shape.
 */
public final class AnchorCoverage {

    /** Per class (and {@link #all}): box sizes after the resize, sqrt(w*h) in input pixels, and best IoUs. */
    public record ClassCoverage(String name, float[] sizes, float[] bestIou, int unmatched) {

        public int boxes() {
            return sizes.length;
        }

        /** The {@code q}-quantile (0..1, nearest rank) of the box sizes; NaN without boxes. */
        public double sizeQuantile(double q) {
            if (sizes.length == 0) {
                return Double.NaN;
            }
            float[] s = sizes.clone();
            Arrays.sort(s);
            return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
        }

        /** Share of boxes that no anchor reaches at the threshold (0..1; NaN without boxes). */
        public double unmatchedShare() {
            return sizes.length == 0 ? Double.NaN : unmatched / (double) sizes.length;
        }
    }

    private final AnchorGenerator anchors;
    private final ResizeRule resize;
    private final PaddingRule padding;
    private final float threshold;

    public AnchorCoverage(AnchorGenerator anchors, ResizeRule resize, PaddingRule padding, float threshold) {
        this.anchors = anchors;
        this.resize = resize;
        this.padding = padding;
        this.threshold = threshold;
    }

    /** Coverage per class index, plus the whole dataset at index {@code numClasses}. */
    public ClassCoverage[] compute(DetectionDataset d) {
        int k = d.categories().size();
        FloatList[] sizes = new FloatList[k + 1];
        FloatList[] ious = new FloatList[k + 1];
        for (int c = 0; c <= k; c++) {
            sizes[c] = new FloatList();
            ious[c] = new FloatList();
        }
        Map<Long, float[]> anchorsBySize = new HashMap<>();
        float[] box = new float[4];
        for (int i = 0; i < d.numImages(); i++) {
            ResizeInfo r = resize.apply(d.height(i), d.width(i), padding);
            float sx = r.resizedWidth() / (float) d.width(i);
            float sy = r.resizedHeight() / (float) d.height(i);
            long key = ((long) r.paddedHeight() << 32) | r.paddedWidth();
            float[] all = anchorsBySize.computeIfAbsent(key, s -> anchors.anchors(r.paddedHeight(), r.paddedWidth()));
            for (int b = d.firstBox(i); b < d.firstBox(i) + d.numBoxes(i); b++) {
                if (d.isIgnored(b)) {
                    continue;
                }
                box[0] = d.box(b, 0) * sx;
                box[1] = d.box(b, 1) * sy;
                box[2] = d.box(b, 2) * sx;
                box[3] = d.box(b, 3) * sy;
                float best = bestIou(box, all, r.paddedHeight(), r.paddedWidth());
                float size = (float) Math.sqrt(Math.max(0, (box[2] - box[0]) * (box[3] - box[1])));
                for (int c : new int[]{d.classIndex(b), k}) {
                    sizes[c].add(size);
                    ious[c].add(best);
                }
            }
        }
        ClassCoverage[] out = new ClassCoverage[k + 1];
        for (int c = 0; c <= k; c++) {
            float[] iou = ious[c].toArray();
            int unmatched = 0;
            for (float v : iou) {
                unmatched += v < threshold ? 1 : 0;
            }
            out[c] = new ClassCoverage(c < k ? d.categories().name(c) : "all", sizes[c].toArray(), iou, unmatched);
        }
        return out;
    }

    /** The highest IoU of {@code box} with any anchor of a {@code h x w} input ({@code all}: its anchors). */
    public float bestIou(float[] box, float[] all, int h, int w) {
        int perLocation = anchors.anchorsPerLocation();
        float cx = (box[0] + box[2]) / 2;
        float cy = (box[1] + box[3]) / 2;
        float best = 0;
        int levelStart = 0;
        for (int level = 0; level < anchors.numLevels(); level++) {
            int[] cells = anchors.featureSize(level, h, w);
            int[] stride = anchors.stride(level, h, w);
            float[] base = anchors.cellAnchors(level);
            for (int a = 0; a < perLocation; a++) {
                float ax = (base[4 * a] + base[4 * a + 2]) / 2;
                float ay = (base[4 * a + 1] + base[4 * a + 3]) / 2;
                int gx = Math.max(0, Math.min(cells[1] - 1, Math.round((cx - ax) / stride[1])));
                int gy = Math.max(0, Math.min(cells[0] - 1, Math.round((cy - ay) / stride[0])));
                for (int y = Math.max(0, gy - 1); y <= Math.min(cells[0] - 1, gy + 1); y++) {
                    for (int x = Math.max(0, gx - 1); x <= Math.min(cells[1] - 1, gx + 1); x++) {
                        int anchor = levelStart + (y * cells[1] + x) * perLocation + a;
                        best = Math.max(best, BoxIou.iou(box, 0, all, anchor));
                    }
                }
            }
            levelStart += cells[0] * cells[1] * perLocation;
        }
        return best;
    }

    /** A growable float array. */
    private static final class FloatList {
        private float[] v = new float[16];
        private int n;

        void add(float x) {
            if (n == v.length) {
                v = Arrays.copyOf(v, n * 2);
            }
            v[n++] = x;
        }

        float[] toArray() {
            return Arrays.copyOf(v, n);
        }
    }
}
