package org.retinanet4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.gradcheck.DoublePrecision;
import org.retinanet4j.gradcheck.SampledGradientCheck;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double-precision gradient check of the whole tiny RetinaNet (ResNet-18, FPN P3-P7, both shared heads, both
 * losses): every trainable parameter array is checked, on its entry of largest gradient and on random entries.
 * DL4J's own GradientCheckUtil cannot do this on a graph at M2.1 (it checks all ~11 million backbone entries; see
 * {@link SampledGradientCheck}).
 */
@ExtendWith(DoublePrecision.class)
class RetinaNetGradientCheckTest {
    private static final int SIZE = 64;
    @Test
    void everyParameterOfTheTrainableNetworkHasTheRightGradient() {
        // Training from scratch: BatchNorm with batch statistics, every stage trainable.
        ComputationGraph net = tinyDouble(BatchNormMode.TRAINABLE, 5);
        Set<String> expected = trainableArrays(net);
        SampledGradientCheck.Result r = check(net, expected);

        assertEquals(expected, r.checkedArrays(), "every trainable array is checked");
        assertTrue(expected.stream().anyMatch(k -> k.startsWith("conv1_")), "stem included: " + expected);
        assertTrue(expected.stream().anyMatch(k -> k.endsWith("_gamma")), "BatchNorm scales included");
        assertNoFailures(r);
    }

    @Test
    void everyTrainableParameterBehindAFrozenBackboneHasTheRightGradient() {
        // Fine-tuning: folded FrozenBatchNorm, stem and layer1 frozen; gradients must cross the frozen stages' ends.
        ComputationGraph net = tinyDouble(BatchNormMode.FROZEN, 3);
        Set<String> expected = trainableArrays(net);
        SampledGradientCheck.Result r = check(net, expected);

        assertEquals(expected, r.checkedArrays());
        assertTrue(expected.stream().anyMatch(k -> k.startsWith("layer2_")), "layer2 trains: " + expected);
        assertTrue(expected.stream().noneMatch(k -> k.startsWith("layer1_")), "layer1 frozen: " + expected);
        assertNoFailures(r);
    }

    private static ComputationGraph tinyDouble(BatchNormMode bn, int trainableLayers) {
        ComputationGraph net = TinyNets.withoutUpdates(TinyNets.tiny().inputShape(3, 128, 128)
                .dataType(DataType.DOUBLE).batchNormMode(bn).trainableBackboneLayers(trainableLayers).build().init());
        // Larger head weights than the 0.01 init, so the head's first convs move the loss measurably.
        Nd4j.getRandom().setSeed(3);
        for (String head : new String[]{RetinaNetGraph.CLS_HEAD, RetinaNetGraph.BOX_HEAD}) {
            INDArray p = net.getVertex(head).params();
            p.assign(Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.3));
        }
        return net;
    }

    private static SampledGradientCheck.Result check(ComputationGraph net, Set<String> arrays) {
        // The graph runs any multiple of 32; 64x64 keeps BatchNorm statistics of layer4 over 8 values.
        INDArray image = TinyNets.image(5, DataType.DOUBLE, 2, SIZE, SIZE);
        int anchors = TinyNets.totalAnchors(SIZE, SIZE, 2);
        INDArray[] labels = TinyNets.labels(6, DataType.DOUBLE, 2, anchors, 3);
        return new SampledGradientCheck().epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .randomEntriesPerArray(2).include(arrays::contains)
                .run(net, new INDArray[]{image}, labels);
    }

    /** Parameter keys that training updates: not BatchNorm running statistics, not inside a frozen layer. */
    private static Set<String> trainableArrays(ComputationGraph net) {
        Set<String> keys = new TreeSet<>();
        for (String key : net.paramTable().keySet()) {
            String owner = key.substring(0, key.lastIndexOf('_'));
            String param = key.substring(key.lastIndexOf('_') + 1);
            Layer layer = net.getLayer(owner);
            boolean frozen = layer instanceof FrozenLayer || layer instanceof FrozenLayerWithBackprop;
            boolean runningStat = param.equals("mean") || param.equals("var") || param.equals("log10stdev");
            if (!frozen && !runningStat) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static void assertNoFailures(SampledGradientCheck.Result r) {
        List<SampledGradientCheck.Entry> failed = r.failures();
        assertTrue(failed.isEmpty(), failed.size() + " of " + r.entries().size() + " entries failed: " + failed);
    }
}
