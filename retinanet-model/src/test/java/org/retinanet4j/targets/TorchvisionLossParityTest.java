package org.retinanet4j.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.retinanet4j.anchors.AnchorFixtures.floats;
import static org.retinanet4j.anchors.AnchorFixtures.integer;
import static org.retinanet4j.anchors.AnchorFixtures.ints;
import static org.retinanet4j.anchors.AnchorFixtures.list;
import static org.retinanet4j.anchors.AnchorFixtures.number;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorFixtures;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.decode.DetectionDecoderTest;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.loss.FocalLoss;

/**
 * End to end training targets: our TargetBuilder's arrays fed to our losses give torchvision's
 * {@code RetinaNet.compute_loss} values (fixtures/anchors/loss.json) on a batch with a tiny box and an empty image.
 */
class TorchvisionLossParityTest {

    @Test
    void targetsPlusLossesReproduceTorchvisionComputeLoss() {
        Map<String, Object> fixture = AnchorFixtures.load("loss.json");
        int h = integer(fixture.get("height"));
        int w = integer(fixture.get("width"));
        int k = integer(fixture.get("numClasses"));
        AnchorGenerator generator = new AnchorGenerator(AnchorConfig.torchvisionDefault());
        int numAnchors = generator.numAnchors(h, w);
        List<Object> boxes = list(fixture.get("boxes"));
        List<Object> labels = list(fixture.get("labels"));
        List<GroundTruth> batch = new ArrayList<>();
        float[][] logits = new float[boxes.size()][];
        float[][] regression = new float[boxes.size()][];
        for (int i = 0; i < boxes.size(); i++) {
            batch.add(new GroundTruth(floats(boxes.get(i)), ints(labels.get(i))));
            logits[i] = DetectionDecoderTest.logits(numAnchors, i);
            regression[i] = DetectionDecoderTest.regression(numAnchors, i);
        }
        assertEquals(3, k, "the synthetic outputs of DetectionDecoderTest use K = 3");
        RetinaNetTargets targets = new TargetBuilder(generator, k).build(batch, h, w);
        INDArray cls = Nd4j.create(logits);
        INDArray box = Nd4j.create(regression);
        double focal = new FocalLoss().computeScore(targets.classTargets(), cls, new ActivationIdentity(), null, true);
        double l1 = new BoxRegressionLoss().computeScore(targets.boxTargets(), box, new ActivationIdentity(), null, true);
        double expectedFocal = number(fixture.get("classification"));
        double expectedBox = number(fixture.get("boxRegression"));
        assertEquals(expectedFocal, focal, 1e-5 * expectedFocal, "classification loss");
        assertEquals(expectedBox, l1, 1e-5 * expectedBox, "box regression loss");
    }
}
