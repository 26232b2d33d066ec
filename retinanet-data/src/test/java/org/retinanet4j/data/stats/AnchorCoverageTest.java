package org.retinanet4j.data.stats;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.boxes.BoxIou;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.DetectionDatasetBuilder;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The best anchor IoU found from the grid positions nearest a box equals the best over every anchor (brute force
 * with {@link BoxIou#matrix}); boxes are resized as training resizes them; a box smaller than every anchor counts as
 * unmatched, one shaped like an anchor as matched.
 */
class AnchorCoverageTest {

    private final AnchorGenerator anchors = new AnchorGenerator(AnchorConfig.torchvisionDefault());
    private final AnchorCoverage coverage = new AnchorCoverage(anchors, new ResizeRule(256, 256),
            PaddingRule.toMultipleOf(128), 0.5f);

    @Test
    void nearestGridPositionsGiveTheBestOfAllAnchors() {
        Random r = new Random(3);
        for (int[] hw : new int[][]{{256, 256}, {128, 256}, {384, 256}}) {
            float[] all = anchors.anchors(hw[0], hw[1]);
            int n = 300;
            float[] boxes = new float[4 * n];
            for (int i = 0; i < n; i++) {
                float w = 2 + r.nextFloat() * (r.nextBoolean() ? 40 : hw[1]);
                float h = 2 + r.nextFloat() * (r.nextBoolean() ? 40 : hw[0]);
                float x = -10 + r.nextFloat() * (hw[1] + 10) - w / 2;
                float y = -10 + r.nextFloat() * (hw[0] + 10) - h / 2;
                boxes[4 * i] = x;
                boxes[4 * i + 1] = y;
                boxes[4 * i + 2] = x + w;
                boxes[4 * i + 3] = y + h;
            }
            float[] m = BoxIou.matrix(boxes, all);
            int a = all.length / 4;
            for (int i = 0; i < n; i++) {
                float brute = 0;
                for (int j = 0; j < a; j++) {
                    brute = Math.max(brute, m[i * a + j]);
                }
                float[] box = {boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]};
                assertEquals(brute, coverage.bestIou(box, all, hw[0], hw[1]), "box " + i + " at " + hw[0] + "x"
                        + hw[1]);
            }
        }
    }

    @Test
    void boxesAreResizedAsInTrainingAndCountedPerClass() throws Exception {
        DetectionDatasetBuilder b = new DetectionDatasetBuilder("test", Path.of("."));
        int img = b.addImage(1, "a.jpg", 512, 512);   // resized by 1/2 to 256x256
        // 64x64 at the anchor grid (64 = 32 * 2^0 at P3, after the resize 32x32): IoU 1
        b.addBox(img, 0, 0, 64, 64, 0, 0, 64, 64, 0, (byte) 0, 64 * 64, 1);
        // 8x8 (4x4 after the resize): IoU with the 32x32 anchors at most 16/1024
        b.addBox(img, 100, 100, 108, 108, 100, 100, 8, 8, 1, (byte) 0, 64, 2);
        DetectionDataset d = b.build(CategoryMap.ofNames(List.of("big", "tiny")));
        AnchorCoverage.ClassCoverage[] c = coverage.compute(d);
        assertEquals(3, c.length);
        assertEquals(32, c[0].sizes()[0], 1e-4);
        assertEquals(1.0f, c[0].bestIou()[0], 1e-6);
        assertEquals(0, c[0].unmatched());
        assertEquals(4, c[1].sizes()[0], 1e-4);
        assertEquals(1, c[1].unmatched());
        assertEquals(16f / 1012f, c[1].bestIou()[0], 1e-6, "inside the 22x46 anchor (ratio 2, 32 px)");
        assertEquals("all", c[2].name());
        assertEquals(0.5, c[2].unmatchedShare(), 1e-9);
    }
}
