package org.retinanet4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.eval.CocoStats;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.torchvision.NpzWriter;
import org.retinanet4j.torchvision.TorchvisionExporter;
import org.retinanet4j.torchvision.TorchvisionModelImport;
import org.retinanet4j.zoo.RetinaNet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tuning from imported weights to another class count (5 -&gt; the 3 shapes classes) raises COCO AP on the
 * synthetic shapes dataset, through the walkthrough's own code. The imported file is torchvision-named weights
 * of a small network (ResNet-18, FPN and heads 16 wide, one head conv) so that the test needs no torch; the
 * backbone stays frozen, so only FPN and heads learn in the 40 steps.
 */
class FineTuningFromImportTest {

    private static final Logger LOG = LoggerFactory.getLogger(FineTuningFromImportTest.class);
    private static final String META = "{\"bn_eps\": 1e-05, \"arch\": \"retinanet_resnet18_fpn\", \"num_classes\": 5}";

    @TempDir
    Path dir;

    @Test
    void fineTuningImportedWeightsToNewClassesImprovesAp() throws Exception {
        ShapesDataset shapes = new ShapesDatasetGenerator(ShapesConfig.defaults(48, 16, 11).withImageSize(128, 40, 90))
                .generate(dir.resolve("shapes"));
        ComputationGraph torchvisionLike = RetinaNet.builder().numClasses(5).backbone(ResNetDepth.RESNET18)
                .fpnWidth(16).headWidth(16).headDepth(1).batchNormMode(BatchNormMode.TRAINABLE).inputShape(3, 128, 128)
                .build()
                .init();
        Path npz = dir.resolve("weights.npz");
        NpzWriter.write(npz, TorchvisionExporter.stateDict(torchvisionLike), META);
        SavedModel imported = TorchvisionModelImport.from(npz).inputSize(128, 128).run();
        assertEquals(5, imported.metadata().numClasses());
        Path importedFile = dir.resolve("imported.zip");
        ModelBundle.save(importedFile, imported);

        SavedModel start = TorchvisionWalkthrough.fineTune(importedFile, shapes.trainAnnotations(),
                shapes.trainImages(), 128, 0, dir.resolve("start.zip"));
        assertEquals(3, start.metadata().numClasses());
        CocoStats before = TorchvisionWalkthrough.evaluate(dir.resolve("start.zip"), shapes.valAnnotations(),
                shapes.valImages());
        SavedModel tuned = TorchvisionWalkthrough.fineTune(importedFile, shapes.trainAnnotations(),
                shapes.trainImages(), 128, 40, dir.resolve("tuned.zip"));
        assertEquals(imported.graph().paramTable().get("layer4_1_conv2_W"),
                tuned.graph().paramTable().get("layer4_1_conv2_W"), "the frozen backbone did not change");
        CocoStats after = TorchvisionWalkthrough.evaluate(dir.resolve("tuned.zip"), shapes.valAnnotations(),
                shapes.valImages());
        LOG.info("shapes val AP50 before fine-tuning {}, after {}; AP {} -> {}", before.ap50(), after.ap50(),
                before.ap(), after.ap());
        assertTrue(after.ap50() > before.ap50() + 0.02, "AP50 " + before.ap50() + " -> " + after.ap50());
    }
}
