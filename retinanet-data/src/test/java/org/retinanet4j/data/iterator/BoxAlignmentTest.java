package org.retinanet4j.data.iterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.records.DetectionRecord;
import org.retinanet4j.data.records.DetectionRecordReader;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Draws known rectangles, pushes the image through decode, resize, flip, normalise and pad, and checks that the
 * transformed boxes still frame the painted pixels.
 */
class BoxAlignmentTest {

    private static final int RED = 0xFF0000;
    private static final int GREEN = 0x00FF00;

    @TempDir
    Path tmp;

    private DetectionDataset dataset() throws IOException {
        int[][] rects = {{20, 10, 80, 60, RED}, {150, 40, 190, 90, GREEN}};
        TestImages.write(tmp.resolve("a.png"), 200, 100, rects);
        return TestImages.dataset(tmp, List.<Object[]>of(new Object[] {"a.png", 200, 100, rects}));
    }

    private static final InputBatcher BATCHER = new InputBatcher(new ResizeRule(150, 400),
            PaddingRule.toMultipleOf(128), ImageNormalization.IMAGENET);

    /** Loads the dataset's only image as the iterator does: through its DataVec record and the input batcher. */
    private static LoadedSample load(DetectionDataset d, boolean flip) throws IOException {
        DetectionRecord r = DetectionRecord.parse(new DetectionRecordReader(d).record(0), "record 0");
        return new SampleLoader(BATCHER).load(r, 0, flip);   // scale 1.5: 200x100 -> 300x150
    }

    @Test
    void boxesFollowResizeAndFlip() throws IOException {
        DetectionDataset d = dataset();
        LoadedSample plain = load(d, false);
        assertEquals(300, plain.resizedWidth());
        assertEquals(150, plain.resizedHeight());
        assertArrayEquals(new float[] {30, 15, 120, 90, 225, 60, 285, 135}, plain.boxes(), 1e-4f);
        LoadedSample flipped = load(d, true);
        assertArrayEquals(new float[] {180, 15, 270, 90, 15, 60, 75, 135}, flipped.boxes(), 1e-4f);
    }

    @Test
    void paintedPixelsSitInsideTransformedBoxesAfterPaddingAndNormalisation() throws IOException {
        DetectionDataset d = dataset();
        for (boolean flip : new boolean[] {false, true}) {
            RetinaNetIterator it = RetinaNetIterator.builder(d, RetinaNetSpec.builder().numClasses(2).build())
                    .input(BATCHER).batchSize(1).flipProbability(flip ? 1.0 : 0.0).loaderThreads(0).build();
            MultiDataSet mds = it.next();
            INDArray x = mds.getFeatures(0);
            assertArrayEquals(new long[] {1, 3, 256, 384}, x.shape());
            SampleMetadata meta = it.lastBatchMetadata().get(0);
            assertEquals(flip, meta.flipped());
            assertEquals(256, meta.resizeInfo().paddedHeight());
            LoadedSample s = load(d, flip);
            int[] colours = {RED, GREEN};
            for (int b = 0; b < 2; b++) {
                int x1 = Math.round(s.boxes()[4 * b]);
                int y1 = Math.round(s.boxes()[4 * b + 1]);
                int x2 = Math.round(s.boxes()[4 * b + 2]);
                int y2 = Math.round(s.boxes()[4 * b + 3]);
                // 2 px inside every corner: the rectangle's colour; 2 px outside: black
                int[][] inside = {{x1 + 2, y1 + 2}, {x2 - 3, y1 + 2}, {x1 + 2, y2 - 3}, {x2 - 3, y2 - 3}};
                for (int[] p : inside) {
                    assertPixel(x, p[0], p[1], colours[b], "inside box " + b + " flip " + flip);
                }
                int[][] outside = {{x1 - 3, (y1 + y2) / 2}, {x2 + 2, (y1 + y2) / 2}, {(x1 + x2) / 2, y1 - 3},
                        {(x1 + x2) / 2, y2 + 2}};
                for (int[] p : outside) {
                    if (p[0] >= 0 && p[0] < 300 && p[1] >= 0 && p[1] < 150) {
                        assertPixel(x, p[0], p[1], 0, "outside box " + b + " flip " + flip);
                    }
                }
            }
            // padding (right of x=300, below y=150) is exactly zero after normalisation
            assertEquals(0f, x.getFloat(0, 0, 10, 300), 0f);
            assertEquals(0f, x.getFloat(0, 2, 200, 10), 0f);
            assertEquals(0f, x.getFloat(0, 1, 255, 383), 0f);
            it.close();
        }
    }

    private static void assertPixel(INDArray x, int px, int py, int rgb, String what) {
        for (int c = 0; c < 3; c++) {
            int expected = (rgb >> (16 - 8 * c)) & 0xFF;
            float v = ImageNormalization.IMAGENET.denormalize(x.getFloat(0, c, py, px), c);
            assertTrue(Math.abs(v - expected) < 1.0, what + " at (" + px + "," + py + ") channel " + c + ": " + v
                    + " expected " + expected);
        }
    }
}
