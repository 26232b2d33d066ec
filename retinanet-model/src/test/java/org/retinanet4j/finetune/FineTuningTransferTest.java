package org.retinanet4j.finetune;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.torchvision.TorchvisionParamNames;
import org.retinanet4j.zoo.RetinaNet;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FineTuning#transfer()}: folding a TRAINABLE source's BatchNorms (FROZEN target) keeps what the network
 * computes; which parameters are copied and which start afresh (class predictor, backbone-only sources); a source of
 * another architecture names the layer.
 */
class FineTuningTransferTest {

    private static final int SIZE = 128;

    /** A small TRAINABLE-BatchNorm model whose BatchNorms hold non-trivial statistics and affine parameters. */
    private static SavedModel trainedLookingSource() {
        RetinaNet zoo = RetinaNet.smallBuilder(3).inputShape(3, SIZE, SIZE).seed(4).build();
        ComputationGraph g = zoo.init();
        Nd4j.getRandom().setSeed(9);
        for (Map.Entry<String, INDArray> e : g.paramTable().entrySet()) {
            INDArray p = e.getValue();
            String k = e.getKey();
            if (k.endsWith("_gamma")) {
                p.assign(Nd4j.rand(p.dataType(), p.shape()).muli(1.0).addi(0.5));
            } else if (k.endsWith("_beta") || k.endsWith("_mean")) {
                p.assign(Nd4j.randn(p.dataType(), p.shape()).muli(0.2));
            } else if (k.endsWith("_log10stdev")) {
                p.assign(Nd4j.rand(p.dataType(), p.shape()).muli(0.5).subi(0.3));
            }
        }
        return new SavedModel(g, ModelMetadata.of(zoo.spec(), List.of("a", "b", "c"), new int[]{1, 2, 3}));
    }

    @Test
    void foldingTrainableBatchNormKeepsTheOutputs() {
        SavedModel source = trainedLookingSource();
        FineTuned tuned = FineTuning.from(source).batchNormMode(BatchNormMode.FROZEN).trainableBackboneLayers(5)
                .transfer();
        assertEquals(BatchNormMode.FROZEN, tuned.model().metadata().spec().batchNormMode());
        assertEquals(List.of(), tuned.initialised(), "same classes: everything copied");
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, SIZE, SIZE).muli(2).subi(1);
        INDArray[] want = source.graph().output(x);
        INDArray[] got = tuned.model().graph().output(x);
        for (int i = 0; i < want.length; i++) {
            double scale = want[i].amaxNumber().doubleValue();
            double diff = want[i].sub(got[i]).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-4 * Math.max(1, scale), "output " + i + ": max |diff| " + diff + " (scale " + scale
                    + ")");
        }
    }

    @Test
    void newClassesStartThePredictorAfreshWithThePriorBias() {
        SavedModel source = trainedLookingSource();
        FineTuned tuned = FineTuning.from(source).classes(List.of("x", "y"), new int[]{0, 1}).resetClassifier(true)
                .trainableBackboneLayers(5).transfer();
        assertEquals(List.of(TorchvisionParamNames.CLS_PREDICTOR + "W", TorchvisionParamNames.CLS_PREDICTOR + "b"),
                tuned.initialised());
        INDArray bias = tuned.model().graph().paramTable().get(TorchvisionParamNames.CLS_PREDICTOR + "b");
        double prior = -Math.log((1 - 0.01) / 0.01);
        assertEquals(prior, bias.minNumber().doubleValue(), 1e-5);
        assertEquals(prior, bias.maxNumber().doubleValue(), 1e-5);
        String box = TorchvisionParamNames.BOX_PREDICTOR + "W";
        assertEquals(source.graph().paramTable().get(box), tuned.model().graph().paramTable().get(box), "box predictor copied");
    }

    @Test
    void aBackboneOnlySourceLeavesFpnAndHeadsFresh() {
        FineTuned tuned = FineTuning.from(trainedLookingSource()).backboneOnly(true).trainableBackboneLayers(5)
                .transfer();
        assertTrue(tuned.copied().stream().allMatch(TorchvisionParamNames::isBackboneParam), tuned.copied().toString());
        assertTrue(tuned.initialised().stream().noneMatch(TorchvisionParamNames::isBackboneParam));
        assertTrue(tuned.initialised().contains(TorchvisionParamNames.BOX_PREDICTOR + "W"));
    }

    @Test
    void anotherArchitectureNamesTheLayer() {
        RetinaNetSpec r34 = RetinaNet.builder().numClasses(3).backbone(ResNetDepth.RESNET34).inputShape(3, SIZE, SIZE)
                .build().spec();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTuning.from(trainedLookingSource()).architecture(r34).trainableBackboneLayers(5).transfer());
        assertTrue(e.getMessage().startsWith("another architecture: layer '") && e.getMessage().contains("RESNET18")
                && e.getMessage().contains("RESNET34"), e.getMessage());
    }
}
