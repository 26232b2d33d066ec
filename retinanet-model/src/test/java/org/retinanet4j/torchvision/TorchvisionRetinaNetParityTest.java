package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.zoo.RetinaNet;

/**
 * A torchvision RetinaNet with random (seeded) weights, exported and imported, gives torchvision's FPN outputs,
 * logits, regressions (1e-4 relative) and detections, at two image sizes. Reduced configuration: ResNet-18
 * backbone, FPN and heads 32 wide, 3 classes; torchvision's v1 layout otherwise (4 head convs, P6 from P5).
 */
class TorchvisionRetinaNetParityTest {

    private static final int CLASSES = 3;
    private static final int WIDTH = 32;

    /** The reduced RetinaNet's weights (.npz, and .pth in both torch formats) and torchvision's outputs. */
    static Path fixtures() throws Exception {
        return TorchFixtures.generate("retinanet-r18-w32", "retinanet", "--depth", "resnet18", "--num-classes",
                String.valueOf(CLASSES), "--fpn-channels", String.valueOf(WIDTH), "--sizes", "128x128,128x256",
                "--pth");
    }

    private static ComputationGraph graph(BatchNormMode mode) {
        return RetinaNet.builder().numClasses(CLASSES).backbone(ResNetDepth.RESNET18).fpnWidth(WIDTH)
                .headWidth(WIDTH).headDepth(4).batchNormMode(mode).inputShape(3, 128, 128).build().init();
    }

    @Test
    void trainableBatchNormGraphMatchesTorchvision() throws Exception {
        Path dir = fixtures();
        ComputationGraph net = graph(BatchNormMode.TRAINABLE);
        ImportSummary summary = StateDictLoader.load(net, TorchvisionStateDict.read(dir.resolve("weights.npz")),
                ImportOptions.defaults());
        assertEquals(0, summary.batchNormsFolded());
        assertEquals(1e-5, summary.bnEps());
        ParityChecks.checkRetinaNet(net, ResNetDepth.RESNET18, dir, 128, 128, "trainable BN");
        ParityChecks.checkRetinaNet(net, ResNetDepth.RESNET18, dir, 128, 256, "trainable BN");
    }

    @Test
    void frozenBatchNormFoldedIntoConvolutionsMatchesTorchvision() throws Exception {
        Path dir = fixtures();
        ComputationGraph net = graph(BatchNormMode.FROZEN);
        ImportSummary summary = StateDictLoader.load(net, TorchvisionStateDict.read(dir.resolve("weights.npz")),
                ImportOptions.defaults());
        assertEquals(20, summary.batchNormsFolded(), "ResNet-18: stem + 16 block BNs + 3 downsample BNs");
        ParityChecks.checkRetinaNet(net, ResNetDepth.RESNET18, dir, 128, 128, "frozen BN");
        ParityChecks.checkRetinaNet(net, ResNetDepth.RESNET18, dir, 128, 256, "frozen BN");
    }
}
