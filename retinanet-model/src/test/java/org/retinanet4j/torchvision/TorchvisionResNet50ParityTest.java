package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.zoo.RetinaNet;

/**
 * The real layout: torchvision's {@code retinanet_resnet50_fpn} (ResNet-50, 256 wide, 91 classes) with random
 * (seeded) weights and FrozenBatchNorm2d at eps 0, as torchvision runs its COCO weights. The fixture (about
 * 140 MB) is generated at test time; the test skips with a message when torch is not installed.
 */
class TorchvisionResNet50ParityTest {

    @Test
    void cocoLayoutWithFrozenBatchNormEpsZeroMatchesTorchvision() throws Exception {
        Path dir = TorchFixtures.generate("retinanet-r50-coco-layout", "retinanet", "--depth", "resnet50",
                "--num-classes", "91", "--frozen-bn-eps", "0", "--sizes", "128x128,128x256");
        TorchvisionStateDict weights = TorchvisionStateDict.read(dir.resolve("weights.npz"));
        assertEquals(0.0, weights.recordedBnEps(), "the exporter records FrozenBatchNorm2d's eps");
        assertEquals("retinanet_resnet50_fpn", weights.arch());

        ComputationGraph net = RetinaNet.builder().numClasses(CocoLabels.NUM_CLASSES)
                .batchNormMode(BatchNormMode.FROZEN).trainableBackboneLayers(3).inputShape(3, 128, 128).build().init();
        ImportSummary summary = StateDictLoader.load(net, weights, ImportOptions.defaults());
        assertEquals(301, summary.tensorsImported());
        assertEquals(53, summary.batchNormsFolded(), "ResNet-50: stem + 48 block BNs + 4 downsample BNs");

        ParityChecks.checkRetinaNet(net, ResNetDepth.RESNET50, dir, 128, 128, "ResNet-50");
        ParityChecks.checkRetinaNet(net, ResNetDepth.RESNET50, dir, 128, 256, "ResNet-50");
    }
}
