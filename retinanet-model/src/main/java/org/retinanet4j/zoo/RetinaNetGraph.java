package org.retinanet4j.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.nd4j.linalg.activations.Activation;
import org.retinanet4j.backbone.BackboneFeatures;
import org.retinanet4j.backbone.ResNetBackbone;
import org.retinanet4j.fpn.FeaturePyramid;
import org.retinanet4j.head.SharedConvHeadVertex;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.train.OptimizationRecipe;

import java.util.List;

/** Assembles backbone, FPN, the two shared heads and the loss layers into one graph configuration. */
final class RetinaNetGraph {
    static final String CLS_HEAD = RetinaNet.CLS_HEAD;
    static final String BOX_HEAD = RetinaNet.BOX_HEAD;

    private final RetinaNetSpec c;
    private final GraphOptions options;

    RetinaNetGraph(RetinaNetSpec spec, GraphOptions options) {
        this.c = spec;
        this.options = options;
    }

    ComputationGraphConfiguration configuration() {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(options.seed())
                .updater(OptimizationRecipe.defaultUpdater())
                .dataType(options.dataType())
                .trainingWorkspaceMode(options.workspaceMode())
                .inferenceWorkspaceMode(options.workspaceMode())
                .cacheMode(options.cacheMode())
                .graphBuilder()
                .addInputs(RetinaNet.INPUT);

        BackboneFeatures features = new ResNetBackbone(c.backbone(), c.batchNormMode(), c.trainableBackboneLayers())
                .addTo(g, RetinaNet.INPUT);
        List<String> levels = new FeaturePyramid(c.fpnWidth(), c.p6Source()).addTo(g, features);
        String[] inputs = levels.toArray(new String[0]);

        g.addVertex(CLS_HEAD, SharedConvHeadVertex.classification(levels.size(), c.fpnWidth(), c.headWidth(),
                c.headDepth(), c.anchorsPerLocation(), c.numClasses(), c.priorProbability()), inputs);
        g.addVertex(BOX_HEAD, SharedConvHeadVertex.regression(levels.size(), c.fpnWidth(), c.headWidth(),
                c.headDepth(), c.anchorsPerLocation()), inputs);
        g.addLayer(RetinaNet.CLS_OUTPUT, new LossLayer.Builder()
                .lossFunction(RetinaNetLosses.classification(c.focalAlpha(), c.focalGamma()))
                .activation(Activation.IDENTITY).build(), CLS_HEAD);
        g.addLayer(RetinaNet.BOX_OUTPUT, new LossLayer.Builder()
                .lossFunction(RetinaNetLosses.boxRegression(c.boxLossType()))
                .activation(Activation.IDENTITY).build(), BOX_HEAD);
        g.setOutputs(RetinaNet.CLS_OUTPUT, RetinaNet.BOX_OUTPUT);
        g.setInputTypes(InputType.convolutional(c.inputHeight(), c.inputWidth(), 3));
        return g.build();
    }
}
