package org.retinanet4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frozen BN (folded) and torchvision's trainable_backbone_layers: frozen stages keep their weights, others train. */
class FrozenBackboneTest {

    @Test
    void frozenStagesKeepTheirWeightsWhileTheRestTrains() {
        ComputationGraph net = TinyNets.tiny().batchNormMode(BatchNormMode.FROZEN).trainableBackboneLayers(1)
                .build().init();
        // a training recipe, as Trainer.fit puts on: it must leave the frozen stages alone
        OptimizationRecipe.apply(net, TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3)
                .warmup(0, 1).build());
        assertFalse(net.getConfiguration().getVertices().containsKey("bn1"), "FROZEN mode folds BN into the convolutions");
        assertTrue(net.getParam("conv1_b") != null, "folded convolutions have a bias");
        INDArray stem = net.getParam("conv1_W").dup();
        INDArray layer3 = net.getParam("layer3_1_conv2_W").dup();
        INDArray layer4 = net.getParam("layer4_1_conv2_W").dup();
        INDArray head = net.getVertex(RetinaNetGraph.CLS_HEAD).params().dup();

        INDArray image = TinyNets.image(1, DataType.FLOAT, 2, 128, 128);
        INDArray[] labels = TinyNets.labels(2, DataType.FLOAT, 2, TinyNets.totalAnchors(128, 128, 2), 3);
        net.fit(new MultiDataSet(new INDArray[]{image}, labels));

        assertEquals(stem, net.getParam("conv1_W"), "stem is frozen");
        assertEquals(layer3, net.getParam("layer3_1_conv2_W"), "layer3 is frozen");
        assertNotEquals(layer4, net.getParam("layer4_1_conv2_W"), "layer4 trains");
        assertNotEquals(head, net.getVertex(RetinaNetGraph.CLS_HEAD).params(), "head trains");
        assertFalse(Double.isNaN(net.score()));
    }

    @Test
    void freezingResidualStagesWithTrainableBatchNormIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TinyNets.tiny().trainableBackboneLayers(3).build().init());
        assertTrue(e.getMessage().contains("trainableBackboneLayers"), e.getMessage());
    }
}
