package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.zoo.RetinaNet;

/**
 * A torchvision RetinaNet's {@code state_dict()} saved by torch 1.13 with {@code torch.save} in both formats (zip,
 * and the legacy format of torch &lt; 1.6) imports straight from the {@code .pth}, with no Python at run time,
 * and gives torchvision's FPN outputs, logits, regressions and detections as the {@code .npz} path does (the
 * reduced configuration of {@link TorchvisionRetinaNetParityTest}); a ResNet classifier's {@code .pth} feeds a
 * backbone. Skipped with a message where torch is absent (the fixtures are made at test time).
 */
class TorchvisionPthParityTest {

    @Test
    void pthTensorsAreTheNpzTensors() throws Exception {
        Path dir = TorchvisionRetinaNetParityTest.fixtures();
        Map<String, INDArray> npz = TorchvisionStateDict.read(dir.resolve("weights.npz")).tensors();
        for (String file : List.of("weights.pth", "weights_legacy.pth")) {
            TorchvisionStateDict pth = TorchvisionStateDict.read(dir.resolve(file));
            assertEquals(npz.keySet(), pth.tensors().keySet(), file + ": same names (num_batches_tracked dropped)");
            assertEquals(List.copyOf(npz.keySet()), List.copyOf(pth.tensors().keySet()), file + ": same order");
            for (Map.Entry<String, INDArray> e : npz.entrySet()) {
                assertEquals(e.getValue(), pth.tensors().get(e.getKey()), file + ": " + e.getKey());
            }
            assertEquals("retinanet_resnet18_fpn", pth.arch());
            assertEquals(3, pth.numClasses());
            assertEquals(1e-5, pth.recordedBnEps(), "random torchvision BatchNorm2d: the default eps");
        }
    }

    @Test
    void zipFormatPthImportsAndMatchesTorchvision() throws Exception {
        Path dir = TorchvisionRetinaNetParityTest.fixtures();
        SavedModel model = TorchvisionModelImport.from(dir.resolve("weights.pth")).inputSize(128, 128).run();
        assertEquals(3, model.metadata().numClasses());
        ParityChecks.checkRetinaNet(model.graph(), ResNetDepth.RESNET18, dir, 128, 128, "weights.pth, frozen BN");
        ParityChecks.checkRetinaNet(model.graph(), ResNetDepth.RESNET18, dir, 128, 256, "weights.pth, frozen BN");
    }

    @Test
    void legacyFormatPthImportsAndMatchesTorchvision() throws Exception {
        Path dir = TorchvisionRetinaNetParityTest.fixtures();
        SavedModel model = TorchvisionModelImport.from(dir.resolve("weights_legacy.pth"))
                .batchNormMode(BatchNormMode.TRAINABLE).inputSize(128, 128).run();
        ParityChecks.checkRetinaNet(model.graph(), ResNetDepth.RESNET18, dir, 128, 128, "legacy .pth, trainable BN");
        ParityChecks.checkRetinaNet(model.graph(), ResNetDepth.RESNET18, dir, 128, 256, "legacy .pth, trainable BN");
    }

    @Test
    void classifierPthFeedsABackbone() throws Exception {
        Path dir = TorchvisionBackboneImportTest.classifierFixtures();
        Map<String, INDArray> io = TorchFixtures.io(dir, 128, 128);
        for (String file : List.of("weights.pth", "weights_legacy.pth")) {
            TorchvisionStateDict weights = TorchvisionStateDict.read(dir.resolve(file));
            assertEquals("resnet18", weights.arch());
            ComputationGraph net = RetinaNet.builder().numClasses(5).backbone(ResNetDepth.RESNET18).fpnWidth(16)
                    .headWidth(16).headDepth(1).batchNormMode(BatchNormMode.FROZEN).inputShape(3, 128, 128).build()
                    .init();
            ImportSummary summary = StateDictLoader.load(net, weights, ImportOptions.backbone());
            assertEquals(List.of("fc.weight", "fc.bias"), summary.skipped(), file + ": only the classifier's fc");
            ParityChecks.checkBackbone(net, ResNetDepth.RESNET18, io, file + " backbone");
        }
    }
}
