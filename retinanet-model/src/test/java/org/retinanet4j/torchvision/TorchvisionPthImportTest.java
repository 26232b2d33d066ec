package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.zoo.RetinaNet;

/**
 * Without torch: what a {@code .pth} state dict's names and shapes tell (architecture, classes, BatchNorm eps),
 * torchvision's pre-0.13 names, and a {@code .pth} read through the same entry point as an {@code .npz}.
 */
class TorchvisionPthImportTest {

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(TorchvisionPthImportTest.class.getResource("/fixtures/pth/" + name).toURI());
    }

    private static Map<String, INDArray> exported(ResNetDepth depth, int classes) {
        ComputationGraph net = RetinaNet.builder().numClasses(classes).backbone(depth).fpnWidth(8).headWidth(8)
                .headDepth(1).batchNormMode(BatchNormMode.TRAINABLE).inputShape(3, 128, 128).build().init();
        return TorchvisionExporter.stateDict(net);
    }

    /** The ResNet body of a RetinaNet state dict under a classifier's names. */
    private static Map<String, INDArray> asClassifier(Map<String, INDArray> retinanet) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        retinanet.forEach((k, v) -> {
            if (k.startsWith(TorchvisionParamNames.BODY_PREFIX)) {
                out.put(k.substring(TorchvisionParamNames.BODY_PREFIX.length()), v);
            }
        });
        out.put("fc.weight", Nd4j.zeros(10, 512));
        return out;
    }

    @Test
    void architectureAndClassesComeFromTheNamesAndShapes() {
        Map<String, INDArray> r18 = exported(ResNetDepth.RESNET18, 3);
        assertEquals("retinanet_resnet18_fpn", StateDictLayout.architecture(r18));
        assertEquals(3, StateDictLayout.numClasses(r18));
        assertEquals("resnet18", StateDictLayout.architecture(asClassifier(r18)));
        assertNull(StateDictLayout.numClasses(asClassifier(r18)));

        Map<String, INDArray> r34 = exported(ResNetDepth.RESNET34, 2);
        assertEquals("retinanet_resnet34_fpn", StateDictLayout.architecture(r34));
        Map<String, INDArray> r50 = exported(ResNetDepth.RESNET50, 91);
        assertEquals("retinanet_resnet50_fpn", StateDictLayout.architecture(r50));
        assertEquals(91, StateDictLayout.numClasses(r50));
        assertEquals("resnet50", StateDictLayout.architecture(asClassifier(r50)));

        assertNull(StateDictLayout.architecture(Map.of("dense_1/kernel:0", Nd4j.ones(2))));
    }

    @Test
    void torchvisionsCocoDetectorRunsWithEpsZeroEverythingElseWithTheDefault() {
        assertEquals(0.0, StateDictLayout.defaultBnEps("retinanet_resnet50_fpn", 91));
        assertEquals(1e-5, StateDictLayout.defaultBnEps("retinanet_resnet50_fpn", 5));
        assertEquals(1e-5, StateDictLayout.defaultBnEps("resnet50", null));
        assertEquals(1e-5, StateDictLayout.defaultBnEps(null, null));
    }

    @Test
    void preTorchvision013NamesAreUpgradedAsTorchvisionDoes() {
        Map<String, INDArray> old = new LinkedHashMap<>();
        INDArray w = Nd4j.ones(1);
        for (String name : List.of("backbone.fpn.inner_blocks.0.weight", "backbone.fpn.layer_blocks.2.bias",
                "head.classification_head.conv.3.weight", "head.regression_head.conv.0.bias",
                "head.classification_head.cls_logits.weight", "backbone.fpn.extra_blocks.p6.weight",
                "backbone.body.layer1.0.conv1.weight", "backbone.fpn.inner_blocks.0.0.weight")) {
            old.put(name, w);
        }
        assertEquals(List.of("backbone.fpn.inner_blocks.0.0.weight", "backbone.fpn.layer_blocks.2.0.bias",
                        "head.classification_head.conv.3.0.weight", "head.regression_head.conv.0.0.bias",
                        "head.classification_head.cls_logits.weight", "backbone.fpn.extra_blocks.p6.weight",
                        "backbone.body.layer1.0.conv1.weight"),
                List.copyOf(StateDictLayout.upgradeOldNames(old).keySet()),
                "old names move, current names stay");
    }

    @Test
    void aPthReadsThroughTheSameEntryPointAsAnNpz() throws Exception {
        for (String file : List.of("tiny.pth", "tiny_legacy.pth")) {
            TorchvisionStateDict sd = TorchvisionStateDict.read(fixture(file));
            assertEquals(fixture(file), sd.source());
            assertFalse(sd.tensors().containsKey("1.num_batches_tracked"), "BatchNorm bookkeeping dropped");
            assertEquals(10, sd.tensors().size());
            assertNull(sd.arch(), "not a torchvision layout");
            assertEquals(1e-5, sd.recordedBnEps());
        }
    }

    @Test
    void notAStateDictFailsTheImportNamingTheFile() throws Exception {
        Path list = fixture("list.pth");
        IOException e = assertThrows(IOException.class, () -> TorchvisionModelImport.from(list).run());
        assertTrue(e.getMessage().startsWith(list + ": not a state dict"), e.getMessage());
    }
}
