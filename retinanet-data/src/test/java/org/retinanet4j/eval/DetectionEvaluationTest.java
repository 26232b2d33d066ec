package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.BaseEvaluation;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.decode.Detection;

/** DL4J IEvaluation: merging workers equals one pass; JSON and Java serialisation keep the numbers. */
class DetectionEvaluationTest {

    /** The seeded stress fixture, fed image by image to {@code workers} instances (image i to worker i % n). */
    private static DetectionEvaluation[] fedFromStressFixture(int workers) {
        CocoGroundTruth gt = CocoFixtures.groundTruth("random-stress");
        CocoDetections dt = CocoFixtures.detections("random-stress", gt);
        DetectionEvaluation[] evals = new DetectionEvaluation[workers];
        int[] ids = new int[gt.numCategories()];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = gt.categoryId(k);
        }
        for (int w = 0; w < workers; w++) {
            evals[w] = new DetectionEvaluation(ids, gt.categoryNames());
        }
        for (int i = 0; i < gt.numImages(); i++) {
            evals[i % workers].addImage(gt.imageId(i));
        }
        double[] boxes = gt.boxes();
        for (int a = 0; a < gt.numAnnotations(); a++) {
            int i = gt.annImage(a);
            evals[i % workers].addGroundTruth(gt.imageId(i), gt.categoryId(gt.annCategory(a)), boxes[a * 4],
                    boxes[a * 4 + 1], boxes[a * 4 + 2], boxes[a * 4 + 3], gt.areas()[a], gt.crowdFlags()[a], false);
        }
        for (int d = 0; d < dt.size(); d++) {
            int i = gt.imageIndex(dt.imageId(d));
            evals[i % workers].addDetection(dt.imageId(d), dt.categoryId(d), dt.box(d, 0), dt.box(d, 1),
                    dt.box(d, 2), dt.box(d, 3), dt.score(d));
        }
        return evals;
    }

    @Test
    void mergedWorkersEqualOnePassAndPycocotools() {
        DetectionEvaluation single = fedFromStressFixture(1)[0];
        DetectionEvaluation[] workers = fedFromStressFixture(3);
        workers[0].merge(workers[1]);
        workers[0].merge(workers[2]);
        double[] expected = single.cocoResult().stats().toArray();
        assertArrayEquals(expected, workers[0].cocoResult().stats().toArray(), 1e-12);
        double pycocoAp = CocoFixtures.expected("random-stress").get("stats").get("AP");
        assertEquals(pycocoAp, workers[0].getValue(DetectionMetric.AP), 1e-12);
        assertEquals(single.getValue(DetectionMetric.VOC_MAP_ALL_POINT),
                workers[0].getValue(DetectionMetric.VOC_MAP_ALL_POINT), 1e-12);
    }

    @Test
    void mergingTheSameImageTwiceIsRefused() {
        DetectionEvaluation a = new DetectionEvaluation().addImage(1);
        DetectionEvaluation b = new DetectionEvaluation().addImage(1);
        assertThrows(IllegalArgumentException.class, () -> a.merge(b));
    }

    @Test
    void jsonAndJavaSerialisationRoundTrip() throws Exception {
        DetectionEvaluation e = fedFromStressFixture(1)[0];
        double[] expected = e.cocoResult().stats().toArray();
        String json = e.toJson();
        assertTrue(json.contains("DetectionEvaluation"), "type id in JSON");
        DetectionEvaluation fromJson = BaseEvaluation.fromJson(json, DetectionEvaluation.class);
        assertArrayEquals(expected, fromJson.cocoResult().stats().toArray(), 0.0);
        DetectionEvaluation fromYaml = BaseEvaluation.fromYaml(e.toYaml(), DetectionEvaluation.class);
        assertArrayEquals(expected, fromYaml.cocoResult().stats().toArray(), 0.0);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            DetectionEvaluation restored = (DetectionEvaluation) in.readObject();
            assertArrayEquals(expected, restored.cocoResult().stats().toArray(), 0.0);
            restored.addImage(999_999); // still growable after trimming
        }
    }

    @Test
    void paddedArraysAndDecoderDetectionsGiveTheSameResult() {
        // class indices 0,1 map to category ids 3, 8; image 1: one cat box hit, image 2: a missed dog box
        int[] ids = {3, 8};
        DetectionEvaluation viaArrays = new DetectionEvaluation(ids, new String[] {"cat", "dog"});
        float[] labels = {
                10, 10, 60, 60, 0, 0, 0, /* padding */ 0, 0, 0, 0, -1, 0, 0,
                20, 20, 80, 90, 1, 0, 0, /* padding */ 0, 0, 0, 0, -1, 0, 0};
        float[] preds = {
                10, 10, 60, 60, 0, 0.9f, 0, 0, 0, 0, -1, 0,
                0, 0, 5, 5, 1, 0.8f, 0, 0, 0, 0, -1, 0};
        viaArrays.eval(Nd4j.create(labels, new long[] {2, 2, 7}), Nd4j.create(preds, new long[] {2, 2, 6}), null,
                List.of(1L, 2L));
        DetectionEvaluation viaApi = new DetectionEvaluation(ids, null)
                .addImage(1).addImage(2)
                .addGroundTruth(1, 3, 10, 10, 50, 50, 2500, false, false)
                .addGroundTruth(2, 8, 20, 20, 60, 70, 4200, false, false)
                .addDetections(1, List.of(new Detection(10, 10, 60, 60, 0, "cat", 0.9f)))
                .addDetections(2, List.of(new Detection(0, 0, 5, 5, 1, "dog", 0.8f)));
        assertArrayEquals(viaApi.cocoResult().stats().toArray(), viaArrays.cocoResult().stats().toArray(), 1e-12);
        // cat found (AP 1), dog missed (AP 0): mean 0.5
        assertEquals(0.5, viaArrays.getValue(DetectionMetric.AP), 1e-12);
        assertEquals(0.5, viaArrays.getValue(DetectionMetric.VOC_MAP_11_POINT), 1e-12);
        assertTrue(viaArrays.stats().contains("Pascal VOC mAP"));
        viaArrays.reset();
        assertEquals(0, viaArrays.numImages());
    }
}
