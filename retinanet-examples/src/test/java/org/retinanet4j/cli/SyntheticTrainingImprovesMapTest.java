package org.retinanet4j.cli;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.eval.CocoStats;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.zoo.RetinaNet;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training a (very) small RetinaNet on the synthetic shapes for a short while lifts validation AP50 well above
 * that of the untrained network: the whole loop (data, targets, losses, trainer, decoder, COCO evaluation) works.
 *
 * <p>300 iterations of batch 8 at 128x128.
 */
class SyntheticTrainingImprovesMapTest {
    @TempDir
    Path dir;

    @Test
    void shortTrainingBeatsTheUntrainedModel() throws Exception {
        int size = 128;
        ShapesConfig shapes = new ShapesConfig(64, 24, size, 36, 64, 2, 0.0, 0.0, 3);
        ShapesDataset d = new ShapesDatasetGenerator(shapes).generate(dir);
        DetectionDataset train = new CocoInstancesReader().read(d.trainAnnotations(), d.trainImages());
        DetectionDataset val = new CocoInstancesReader().read(d.valAnnotations(), d.valImages());
        RetinaNet zoo = RetinaNet.builder().numClasses(3).backbone(ResNetDepth.RESNET18).fpnWidth(32)
                .headWidth(32).headDepth(1).inputShape(3, size, size).anchors(DemoCommand.demoAnchors(size)).seed(5)
                .build();
        ComputationGraph graph = zoo.init();
        ModelMetadata md = TrainingPipeline.metadata(train.categories(), zoo.spec());

        CocoStats before = TrainingPipeline.evaluate(graph, md, val, 8).stats();
        TrainerConfig config = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3)
                .weightDecay(0).warmup(20, 0.1).maxIterations(300).seed(5).build();
        try (RetinaNetIterator it = TrainingPipeline.trainIterator(train, md.spec(), 8, 5, 1)) {
            new Trainer(config, md).fit(graph, TrainingPipeline.trainingData(it));
        }
        CocoStats after = TrainingPipeline.evaluate(graph, md, val, 8).stats();
        LoggerFactory.getLogger(SyntheticTrainingImprovesMapTest.class).info("validation AP50 before {}, after {}",
                before.ap50(), after.ap50());
        assertTrue(after.ap50() > 0.2 && after.ap50() > before.ap50() + 0.15,
                "AP50 before " + before.ap50() + ", after " + after.ap50());
    }
}
