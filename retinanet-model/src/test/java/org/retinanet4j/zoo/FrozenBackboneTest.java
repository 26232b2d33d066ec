package org.retinanet4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.common.primitives.Pair;
import org.retinanet4j.backbone.BatchNormMode;

import java.util.Map;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    /**
     * torchvision's fine-tuning form (stem and layer1 frozen): the backward pass computes no gradient for a frozen
     * parameter (as torch's autograd, where requires_grad is off), while every trainable stage gets one.
     */
    @Test
    void frozenStagesComputeNoWeightGradients() {
        ComputationGraph net = TinyNets.tiny().batchNormMode(BatchNormMode.FROZEN).trainableBackboneLayers(3)
                .build().init();
        net.setInputs(TinyNets.image(3, DataType.FLOAT, 2, 128, 128));
        net.setLabels(TinyNets.labels(4, DataType.FLOAT, 2, TinyNets.totalAnchors(128, 128, 2), 3));
        net.computeGradientAndScore();
        Map<String, INDArray> gradients = net.gradient().gradientForVariable();
        for (String key : gradients.keySet()) {
            assertFalse(key.startsWith("conv1_") || key.startsWith("layer1_"), "gradient for frozen " + key);
        }
        for (String trained : new String[]{"layer2_0_conv1_W", "layer2_0_downsample_0_W", "layer4_1_conv2_b"}) {
            assertTrue(gradients.containsKey(trained), "no gradient for " + trained + " in " + gradients.keySet());
            assertTrue(gradients.get(trained).amaxNumber().doubleValue() > 0, trained + " gradient is zero");
        }
        int frozenLayers = 0;
        for (Layer layer : net.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (name.startsWith("conv1") || name.startsWith("layer1_") || name.equals("maxpool")) {
                // DL4J's FrozenLayer answers the backward pass without running its layer's: no work, no error
                assertInstanceOf(org.deeplearning4j.nn.layers.FrozenLayer.class, layer, name);
                Pair<Gradient, INDArray> back = layer.backpropGradient(Nd4j.ones(DataType.FLOAT, 1),
                        LayerWorkspaceMgr.noWorkspaces());
                for (Map.Entry<String, INDArray> g : back.getFirst().gradientForVariable().entrySet()) {
                    assertNull(g.getValue(), name + " computed a gradient for " + g.getKey());
                }
                assertNull(back.getSecond(), name);
                frozenLayers++;
            }
        }
        assertEquals(2 + 2 * 2 /* ResNet-18 layer1: two blocks of two convolutions */, frozenLayers);
    }

    @Test
    void freezingResidualStagesWithTrainableBatchNormIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TinyNets.tiny().trainableBackboneLayers(3).build().init());
        assertTrue(e.getMessage().contains("trainableBackboneLayers"), e.getMessage());
    }
}
