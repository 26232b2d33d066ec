package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.zoo.RetinaNet;

/** Backbone-only import: C3, C4, C5 equal torchvision's; FPN and heads keep their initial values. */
class TorchvisionBackboneImportTest {

    private static ComputationGraph graph(BatchNormMode mode) {
        return RetinaNet.builder().numClasses(5).backbone(ResNetDepth.RESNET18).fpnWidth(16).headWidth(16)
                .headDepth(1).batchNormMode(mode).inputShape(3, 128, 128).build().init();
    }

    private static INDArray predictor(ComputationGraph net) {
        String key = TorchvisionParamNames.CLS_PREDICTOR + "W";
        INDArray p = net.paramTable().get(key);
        return p != null ? p : net.paramTable().get(TorchvisionParamNames.legacyHeadKey(key));
    }

    /** A ResNet-18 classifier with random weights, as .npz and as .pth (the .pth parity test shares it). */
    static Path classifierFixtures() throws Exception {
        return TorchFixtures.generate("resnet18-classifier", "backbone", "--depth", "resnet18", "--sizes", "128x128",
                "--pth");
    }

    @Test
    void resnetClassifierGivesTorchvisionsIntermediateOutputs() throws Exception {
        Path dir = classifierFixtures();
        Map<String, INDArray> io = TorchFixtures.io(dir, 128, 128);
        TorchvisionStateDict weights = TorchvisionStateDict.read(dir.resolve("weights.npz"));
        for (BatchNormMode mode : BatchNormMode.values()) {
            ComputationGraph net = graph(mode);
            INDArray headBefore = predictor(net).dup();
            ImportSummary summary = StateDictLoader.load(net, weights, ImportOptions.backbone());
            assertEquals(weights.tensors().size(), summary.tensorsImported(), "every classifier tensor but fc");
            assertEquals(headBefore, predictor(net), "heads are not touched");
            ParityChecks.checkBackbone(net, ResNetDepth.RESNET18, io, "classifier backbone, " + mode + " BN");
        }
    }

    @Test
    void retinanetFileCanFeedOnlyTheBackbone() throws Exception {
        Path dir = TorchvisionRetinaNetParityTest.fixtures();
        ComputationGraph net = graph(BatchNormMode.TRAINABLE);
        ImportSummary summary = StateDictLoader.load(net, TorchvisionStateDict.read(dir.resolve("weights.npz")),
                ImportOptions.backbone());
        assertTrue(summary.skipped().stream().allMatch(n -> n.startsWith("backbone.fpn.") || n.startsWith("head.")),
                "only FPN and head tensors are skipped: " + summary.skipped());
        assertEquals(16 + 20, summary.skipped().size(), "FPN: 8 convs x (weight, bias); heads: 2 x 5 convs x 2");
        ParityChecks.checkBackbone(net, ResNetDepth.RESNET18, TorchFixtures.io(dir, 128, 256), "RetinaNet backbone");
    }
}
