package org.retinanet4j.data.iterator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.boxes.BoxCoder;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;
import org.retinanet4j.spec.RetinaNetSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetinaNetIteratorTest {

    @TempDir
    static Path tmp;

    private static DetectionDataset shapes;
    private static final AnchorGenerator ANCHORS = new AnchorGenerator(AnchorConfig.torchvisionDefault());
    private static final RetinaNetSpec SPEC = RetinaNetSpec.builder().numClasses(3).inputSize(128, 128).build();

    @BeforeAll
    static void generate() throws IOException {
        ShapesDataset out = new ShapesDatasetGenerator(new ShapesConfig(10, 1, 128, 32, 64, 3, 0.2, 0.5, 5))
                .generate(tmp.resolve("shapes"));
        shapes = new CocoInstancesReader().read(out.trainAnnotations(), out.trainImages());
    }

    private static RetinaNetIterator.Builder base(DetectionDataset d) {
        return RetinaNetIterator.builder(d, SPEC).withTargets().batchSize(3);
    }

    @Test
    void shapesAndTargetsMatchTheTransformedBoxes() {
        int numAnchors = ANCHORS.numAnchors(128, 128);
        float[] anchors = ANCHORS.anchors(128, 128);
        BoxCoder coder = new BoxCoder();
        try (RetinaNetIterator it = base(shapes).training(true).seed(3).loaderThreads(2).build()) {
            int batches = 0;
            int images = 0;
            while (it.hasNext()) {
                MultiDataSet mds = it.next();
                batches++;
                long n = mds.getFeatures(0).size(0);
                images += (int) n;
                assertArrayEquals(new long[] {n, 3, 128, 128}, mds.getFeatures(0).shape());
                INDArray cls = mds.getLabels(0);
                INDArray box = mds.getLabels(1);
                assertArrayEquals(new long[] {n, (long) numAnchors * 3}, cls.shape());
                assertArrayEquals(new long[] {n, (long) numAnchors * 4}, box.shape());
                List<SampleMetadata> meta = it.lastBatchMetadata();
                assertEquals(n, meta.size());
                for (int i = 0; i < n; i++) {
                    SampleMetadata m = meta.get(i);
                    // the ground truth as the network sees it: dataset boxes mirrored when flipped (scale 1)
                    float[] gt = shapes.boxesOf(m.imageIndex());
                    if (m.flipped()) {
                        org.retinanet4j.data.transform.BoxTransforms.flipHorizontal(gt, 128);
                    }
                    float[] c = cls.getRow(i).toFloatVector();
                    float[] t = box.getRow(i).toFloatVector();
                    int positives = 0;
                    for (int a = 0; a < numAnchors; a++) {
                        boolean pos = c[3 * a] == 1f || c[3 * a + 1] == 1f || c[3 * a + 2] == 1f;
                        if (!pos) {
                            assertEquals(-1.0e6f, t[4 * a], "non-positive anchor " + a + " box target");
                            continue;
                        }
                        positives++;
                        float[] decoded = new float[4];
                        coder.decode(t, 4 * a, anchors, 4 * a, decoded, 0);
                        int match = -1;
                        for (int g = 0; g < gt.length / 4; g++) {
                            boolean same = true;
                            for (int j = 0; j < 4; j++) {
                                same &= Math.abs(decoded[j] - gt[4 * g + j]) < 1e-2f;
                            }
                            if (same) {
                                match = g;
                            }
                        }
                        assertTrue(match >= 0, "positive anchor " + a + " of image " + m.imageId()
                                + " decodes to a ground-truth box");
                        int label = shapes.classIndex(shapes.firstBox(m.imageIndex()) + match);
                        assertEquals(1f, c[3 * a + label], "positive anchor has its box's class");
                    }
                    assertEquals(shapes.numBoxes(m.imageIndex()) > 0, positives > 0,
                            "image " + m.imageId() + " has positives iff it has boxes");
                }
            }
            assertEquals(4, batches);
            assertEquals(10, images);
            assertFalse(it.hasNext());
        }
    }

    private static List<String> epochTrace(RetinaNetIterator it) {
        List<String> trace = new ArrayList<>();
        while (it.hasNext()) {
            MultiDataSet mds = it.next();
            StringBuilder sb = new StringBuilder();
            for (SampleMetadata m : it.lastBatchMetadata()) {
                sb.append(m.imageId()).append(m.flipped() ? "f " : " ");
            }
            sb.append(mds.getFeatures(0).sumNumber().floatValue());
            trace.add(sb.toString());
        }
        return trace;
    }

    @Test
    void orderAndFlipsAreSeededAndResumable() {
        List<String> e0;
        List<String> e1;
        try (RetinaNetIterator it = base(shapes).training(true).seed(11).loaderThreads(1).build()) {
            it.reset();                        // a reset before the first batch stays in epoch 0
            e0 = epochTrace(it);
            it.reset();
            assertEquals(1, it.epoch());
            e1 = epochTrace(it);
        }
        assertNotEquals(e0, e1, "each epoch has its own order");
        try (RetinaNetIterator sync = base(shapes).training(true).seed(11).loaderThreads(0).build()) {
            assertEquals(e0, epochTrace(sync), "same seed, other thread count: same batches");
        }
        try (RetinaNetIterator resumed = base(shapes).training(true).seed(11).loaderThreads(2).build()) {
            resumed.startAt(1, 2);
            assertEquals(e1.subList(2, e1.size()), epochTrace(resumed), "resume at epoch 1 batch 2");
            resumed.reset();
            assertEquals(2, resumed.epoch());
        }
        try (RetinaNetIterator other = base(shapes).training(true).seed(12).loaderThreads(1).build()) {
            assertNotEquals(e0, epochTrace(other));
        }
        try (RetinaNetIterator eval = base(shapes).training(false).loaderThreads(1).build()) {
            List<String> t = epochTrace(eval);
            assertTrue(t.get(0).startsWith("1 2 3 "), "evaluation keeps dataset order, no flips: " + t.get(0));
        }
    }

    @Test
    void everySharedVocPhotoDecodesAtItsAnnotatedSize() throws IOException {
        Path voc = org.retinanet4j.data.SharedData.vocSample();
        DetectionDataset d = new org.retinanet4j.data.voc.VocReader().read(voc, null);
        try (RetinaNetIterator it = RetinaNetIterator.builder(d, SPEC).batchSize(10).input(new InputBatcher(
                new ResizeRule(96, 160), PaddingRule.toMultipleOf(128), ImageNormalization.IMAGENET))
                .loaderThreads(2).build()) {
            int seen = 0;
            while (it.hasNext()) {
                MultiDataSet mds = it.next();
                assertEquals(0, mds.getFeatures(0).size(2) % 128);
                assertEquals(0, mds.getFeatures(0).size(3) % 128);
                for (SampleMetadata m : it.lastBatchMetadata()) {
                    assertEquals(d.height(m.imageIndex()), m.originalHeight());
                    assertTrue(Math.min(m.resizedHeight(), m.resizedWidth()) <= 96);
                    seen++;
                }
            }
            assertEquals(100, seen);
            assertEquals(0, it.skippedImages());
        }
    }

    @Test
    void subsetOfImages() {
        int[] withObjects = shapes.imagesWithObjects();
        assertTrue(withObjects.length < shapes.numImages(), "the test dataset has empty images");
        try (RetinaNetIterator it = base(shapes).images(withObjects).training(true).loaderThreads(0).build()) {
            int seen = 0;
            while (it.hasNext()) {
                it.next();
                for (SampleMetadata m : it.lastBatchMetadata()) {
                    assertTrue(shapes.numBoxes(m.imageIndex()) > 0);
                    seen++;
                }
            }
            assertEquals(withObjects.length, seen);
        }
    }

    @Test
    void missingAndWronglySizedImagesAreCountedSkips() throws IOException {
        Path dir = tmp.resolve("broken");
        Files.createDirectories(dir);
        int[][] rect = {{10, 10, 60, 60, 0xFFFFFF}};
        TestImages.write(dir.resolve("ok1.png"), 128, 128, rect);
        TestImages.write(dir.resolve("ok2.png"), 128, 128, rect);
        TestImages.write(dir.resolve("small.png"), 64, 64, new int[0][]);
        Files.write(dir.resolve("corrupt.png"), new byte[] {1, 2, 3});
        DetectionDataset d = TestImages.dataset(dir, List.of(
                new Object[] {"ok1.png", 128, 128, rect},
                new Object[] {"missing.png", 128, 128, rect},
                new Object[] {"small.png", 128, 128, new int[0][]},
                new Object[] {"corrupt.png", 128, 128, rect},
                new Object[] {"ok2.png", 128, 128, rect}));
        try (RetinaNetIterator it = RetinaNetIterator.builder(d, SPEC.withNumClasses(2)).withTargets().batchSize(2)
                .loaderThreads(1).build()) {
            List<Long> seen = new ArrayList<>();
            while (it.hasNext()) {
                it.next();
                for (SampleMetadata m : it.lastBatchMetadata()) {
                    seen.add(m.imageId());
                }
            }
            // batches {ok1, missing}, {small, corrupt} (all skipped: no batch), {ok2}
            assertEquals(List.of(100L, 104L), seen);
            assertEquals(3, it.skippedImages());
        }
    }
}
