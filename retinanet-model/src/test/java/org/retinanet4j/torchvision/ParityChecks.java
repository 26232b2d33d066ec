package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.decode.DetectionDecoder;
import org.retinanet4j.preprocess.ResizeInfo;

/** Compares an imported graph with torchvision's outputs stored by tools/make_import_fixtures.py. */
final class ParityChecks {

    static final double REL = 1e-4;

    private ParityChecks() {
    }

    /** Name of the vertex holding C3, C4 or C5 (stage 1..3 output = last ReLU of layer2..layer4). */
    static String stageOutput(ResNetDepth depth, int stage) {
        return "layer" + (stage + 1) + "_" + (depth.blocks(stage) - 1) + "_relu" + (depth.bottleneck() ? 3 : 2);
    }

    /** Backbone outputs C3..C5 against torchvision's. */
    static void checkBackbone(ComputationGraph graph, ResNetDepth depth, Map<String, INDArray> io, String what) {
        Map<String, INDArray> acts = graph.feedForward(new INDArray[]{io.get("image")}, false);
        for (int s = 1; s <= 3; s++) {
            TorchFixtures.assertClose(what + " C" + (s + 2), io.get("c" + (s + 2)), acts.get(stageOutput(depth, s)), REL);
        }
    }

    /** C3..C5, P3..P7, logits and regressions to 1e-4 relative, then decoded detections. */
    static void checkRetinaNet(ComputationGraph graph, ResNetDepth depth, Path dir, int h, int w, String what)
            throws IOException {
        Map<String, INDArray> io = TorchFixtures.io(dir, h, w);
        String at = what + " " + h + "x" + w;
        Map<String, INDArray> acts = graph.feedForward(new INDArray[]{io.get("image")}, false);
        for (int s = 1; s <= 3; s++) {
            TorchFixtures.assertClose(at + " C" + (s + 2), io.get("c" + (s + 2)), acts.get(stageOutput(depth, s)), REL);
        }
        for (int l = 3; l <= 7; l++) {
            TorchFixtures.assertClose(at + " P" + l, io.get("p" + l), acts.get("P" + l), REL);
        }
        INDArray cls = acts.get("cls");
        INDArray box = acts.get("box");
        TorchFixtures.assertClose(at + " cls logits", io.get("cls"), cls, REL);
        TorchFixtures.assertClose(at + " box regressions", io.get("box"), box, REL);
        checkDetections(cls, box, io, h, w, at);
    }

    /** Our decoder on our outputs gives torchvision's postprocess_detections result. */
    static void checkDetections(INDArray cls, INDArray box, Map<String, INDArray> io, int h, int w, String at) {
        DetectionDecoder decoder = new DetectionDecoder(new AnchorGenerator(AnchorConfig.torchvisionDefault()),
                DecoderConfig.torchvisionDefault(), null);
        List<Detection> ours = decoder.decode(cls, box, List.of(ResizeInfo.identity(h, w))).get(0);
        float[] boxes = io.get("det_boxes").reshape(-1).toFloatVector();
        float[] scores = io.get("det_scores").reshape(-1).toFloatVector();
        float[] labels = io.get("det_labels").reshape(-1).toFloatVector();
        assertTrue(scores.length > 0, at + ": the fixture has no detections to compare");
        assertEquals(scores.length, ours.size(), at + ": number of detections");
        for (int i = 0; i < scores.length; i++) {
            Detection d = ours.get(i);
            String which = at + " detection " + i;
            assertEquals((int) labels[i], d.classIndex(), which + " label");
            assertEquals(scores[i], d.score(), 1e-4 * Math.max(1, scores[i]), which + " score");
            float[] b = {d.x1(), d.y1(), d.x2(), d.y2()};
            for (int j = 0; j < 4; j++) {
                assertEquals(boxes[4 * i + j], b[j], 1e-2, which + " coordinate " + j);
            }
        }
    }
}
