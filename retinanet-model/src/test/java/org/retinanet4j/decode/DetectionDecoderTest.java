package org.retinanet4j.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.retinanet4j.anchors.AnchorFixtures.floats;
import static org.retinanet4j.anchors.AnchorFixtures.integer;
import static org.retinanet4j.anchors.AnchorFixtures.ints;
import static org.retinanet4j.anchors.AnchorFixtures.list;
import static org.retinanet4j.anchors.AnchorFixtures.map;
import static org.retinanet4j.anchors.AnchorFixtures.number;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorFixtures;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.preprocess.ResizeInfo;

/**
 * Post-processing against torchvision's RetinaNet.postprocess_detections and transform.postprocess
 * (fixtures/anchors/postprocess.json) on synthetic outputs that both sides compute from the same integer formula.
 */
public class DetectionDecoderTest {

    private static final Map<String, Object> FIXTURE = AnchorFixtures.load("postprocess.json");
    private static final int H = integer(FIXTURE.get("height"));
    private static final int W = integer(FIXTURE.get("width"));
    private static final int K = integer(FIXTURE.get("numClasses"));
    private final AnchorGenerator generator = new AnchorGenerator(AnchorConfig.torchvisionDefault());

    /** Same values as synthetic_outputs in tools/make_anchor_fixtures.py. */
    public static float[] logits(int numAnchors, int image) {
        long m = (long) numAnchors * K;
        float[] out = new float[(int) m];
        for (long i = 0; i < m; i++) {
            long p = (i * 7919 + image * 104729L) % m;
            out[(int) i] = (float) (-4.0 + 5.0 * ((double) p / m));
        }
        return out;
    }

    public static float[] regression(int numAnchors, int image) {
        long r = numAnchors * 4L;
        float[] out = new float[(int) r];
        for (long j = 0; j < r; j++) {
            double q = (double) ((j * 15485863L + image * 1299709L) % r) / r;
            out[(int) j] = (float) (j % 4 < 2 ? -0.3 + 0.6 * q : -1.0 + 6.0 * q);
        }
        return out;
    }

    private static DecoderConfig config(Map<String, Object> c) {
        return new DecoderConfig(number(c.get("scoreThreshold")), integer(c.get("topKCandidates")),
                number(c.get("nmsIouThreshold")), integer(c.get("detectionsPerImage")));
    }

    @Test
    void postprocessEqualsTorchvisionUnderBothNmsPaths() {
        float[] anchors = generator.anchors(H, W);
        int numAnchors = anchors.length / 4;
        assertArrayEquals(ints(FIXTURE.get("anchorsPerLevel")), generator.anchorsPerLevel(H, W));
        List<Object> resized = list(FIXTURE.get("resized"));
        for (Object r : list(FIXTURE.get("results"))) {
            Map<String, Object> result = map(r);
            DetectionDecoder decoder = new DetectionDecoder(generator, config(map(result.get("config"))), null);
            List<Object> images = list(result.get("images"));
            for (int i = 0; i < images.size(); i++) {
                Map<String, Object> expected = map(images.get(i));
                int[] size = ints(resized.get(i));
                RawDetections raw = decoder.decodeImage(logits(numAnchors, i), regression(numAnchors, i), anchors,
                        generator.anchorsPerLevel(H, W), K, size[0], size[1]);
                String what = result.get("config") + " image " + i;
                assertArrayEquals(ints(expected.get("labels")), raw.labels(), what + " labels");
                assertClose(floats(expected.get("scores")), raw.scores(), 1e-6, what + " scores");
                assertClose(floats(expected.get("boxes")), raw.boxes(), 1e-4, what + " boxes");
            }
        }
    }

    @Test
    void batchDecodeMapsBoxesBackToOriginalPixels() {
        int numAnchors = generator.numAnchors(H, W);
        List<Object> resized = list(FIXTURE.get("resized"));
        List<Object> original = list(FIXTURE.get("original"));
        Map<String, Object> result = map(list(FIXTURE.get("results")).get(0));
        INDArray cls = Nd4j.create(new float[][] {logits(numAnchors, 0), logits(numAnchors, 1)});
        INDArray box = Nd4j.create(new float[][] {regression(numAnchors, 0), regression(numAnchors, 1)});
        List<ResizeInfo> infos = List.of(0, 1).stream().map(i -> {
            int[] o = ints(original.get(i));
            int[] s = ints(resized.get(i));
            return ResizeInfo.of(o[0], o[1], s[0], s[1], H, W);
        }).toList();
        DetectionDecoder decoder = new DetectionDecoder(generator, DecoderConfig.torchvisionDefault(),
                List.of("cat", "dog", "bird"));
        List<List<Detection>> detections = decoder.decode(cls, box, infos);
        assertEquals(2, detections.size());
        for (int i = 0; i < 2; i++) {
            Map<String, Object> expected = map(list(result.get("images")).get(i));
            float[] boxes = floats(expected.get("originalBoxes"));
            int[] labels = ints(expected.get("labels"));
            List<Detection> image = detections.get(i);
            assertEquals(labels.length, image.size(), "image " + i);
            for (int d = 0; d < image.size(); d++) {
                Detection det = image.get(d);
                assertEquals(labels[d], det.classIndex());
                assertEquals(List.of("cat", "dog", "bird").get(labels[d]), det.className());
                assertClose(java.util.Arrays.copyOfRange(boxes, d * 4, d * 4 + 4),
                        new float[] {det.x1(), det.y1(), det.x2(), det.y2()}, 1e-4, "image " + i + " detection " + d);
            }
        }
        assertTrue(detections.get(0).get(0).toString().matches("\\w+ \\(\\d\\) 0\\.\\d{3} at \\[.*\\]"),
                detections.get(0).get(0).toString());
    }

    @Test
    void logitThresholdIsExactlyWhereTheFloatSigmoidCrossesTheScoreThreshold() {
        for (float t : new float[] {0.05f, 0.3f, 0.5f, 1e-6f, 0.99f, 0f}) {
            float min = DetectionDecoder.minLogitAbove(t);
            assertTrue(DetectionDecoder.sigmoid(min) > t, "t=" + t);
            assertTrue(!(DetectionDecoder.sigmoid(Math.nextDown(min)) > t), "t=" + t);
        }
    }

    @Test
    void nanLogitsAreDroppedNotDetected() {
        float[] anchors = generator.anchors(H, W);
        int numAnchors = anchors.length / 4;
        float[] logits = logits(numAnchors, 0);
        java.util.Arrays.fill(logits, 0, 300, Float.NaN);
        DetectionDecoder decoder = new DetectionDecoder(generator, DecoderConfig.torchvisionDefault(), null);
        RawDetections raw = decoder.decodeImage(logits, regression(numAnchors, 0), anchors,
                generator.anchorsPerLevel(H, W), K, H, W);
        for (float score : raw.scores()) {
            assertTrue(score > 0.05f && score < 1f, "score " + score);
        }
        assertTrue(raw.size() > 0);
    }

    @Test
    void defaultsAndPresets() {
        DecoderConfig d = DecoderConfig.torchvisionDefault();
        assertEquals(0.05, d.scoreThreshold());
        assertEquals(1000, d.topKCandidates());
        assertEquals(0.5, d.nmsIouThreshold());
        assertEquals(300, d.detectionsPerImage());
        assertEquals(100, DecoderConfig.cocoEvaluation().detectionsPerImage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.withTopKCandidates(0));
        assertTrue(e.getMessage().contains("topKCandidates"), e.getMessage());
    }

    @Test
    void mismatchedOutputsAreRejected() {
        DetectionDecoder decoder = new DetectionDecoder(generator, DecoderConfig.torchvisionDefault(), null);
        int numAnchors = generator.numAnchors(H, W);
        INDArray cls = Nd4j.zeros(1, numAnchors * K);
        INDArray box = Nd4j.zeros(1, (numAnchors - 1) * 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decoder.decode(cls, box, List.of(ResizeInfo.identity(H, W))));
        assertTrue(e.getMessage().contains("anchors"), e.getMessage());
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + " value " + i);
        }
    }
}
