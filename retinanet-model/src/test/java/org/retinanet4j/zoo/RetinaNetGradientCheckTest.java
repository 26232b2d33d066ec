package org.retinanet4j.zoo;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.retinanet4j.backbone.BatchNormMode;

import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double-precision gradient check through the tiny RetinaNet: both shared heads, the FPN and the last residual
 * stage (convolutions with folded BN, downsample), one entry of every trainable parameter array (each
 * perturbation costs two forward passes in double precision, so the frozen stages keep the check short). The
 * frozen prefix (stem in FrozenLayer, layer1..3 in FrozenLayerWithBackprop) is crossed by the backward pass.
 */
class RetinaNetGradientCheckTest {
    private static DataType savedType;

    @BeforeAll
    static void doublePrecision() {
        savedType = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedType, savedType);
    }

    @Test
    @EnabledIfSystemProperty(named = "retinanet.slowTests", matches = "true",
            disabledReason = "minutes on 2 cores (two double-precision forward passes per parameter array); run with "
                    + "-Dretinanet.slowTests=true")
    void everyParameterOfTheTinyNetworkHasTheRightGradient() {
        ComputationGraph net = TinyNets.tiny().dataType(DataType.DOUBLE).updater(new NoOp())
                .batchNormMode(BatchNormMode.FROZEN).trainableBackboneLayers(1).build().init();
        // Larger head weights than the 0.01 init, so head parameters move the loss measurably.
        for (String head : new String[]{RetinaNetGraph.CLS_HEAD, RetinaNetGraph.BOX_HEAD}) {
            INDArray p = net.getVertex(head).params();
            p.assign(Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.3));
        }
        // The graph runs any multiple of 32; 32x32 keeps the check fast.
        INDArray image = TinyNets.image(5, DataType.DOUBLE, 2, 32, 32);
        int anchors = TinyNets.totalAnchors(32, 32, 2);
        INDArray[] labels = TinyNets.labels(6, DataType.DOUBLE, 2, anchors, 3);
        Set<String> notChecked = net.paramTable().keySet().stream()
                .filter(k -> k.endsWith("_mean") || k.endsWith("_log10stdev") || !isTrainable(k))
                .collect(Collectors.toSet());

        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[]{image}).labels(labels)
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .subset(true).maxPerParam(1).excludeParams(notChecked));
        assertTrue(ok, "gradient check failed (see log)");
    }

    private static boolean isTrainable(String key) {
        return key.startsWith("layer4_") || key.startsWith("fpn_") || key.startsWith(RetinaNetGraph.CLS_HEAD)
                || key.startsWith(RetinaNetGraph.BOX_HEAD);
    }
}
