package org.retinanet4j.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Nesterovs;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarmupStepScheduleTest {

    @Test
    void warmsUpLinearlyThenDecaysInSteps() {
        WarmupStepSchedule s = new WarmupStepSchedule(0.02, 100, 0.001, new int[]{1000, 500}, 0.1);
        assertEquals(0.02 * 0.001, s.valueAt(0, 0), 1e-12);
        assertEquals(0.02 * (0.001 * 0.5 + 0.5), s.valueAt(50, 0), 1e-12);
        assertEquals(0.02, s.valueAt(100, 0), 1e-12);
        assertEquals(0.02, s.valueAt(499, 3), 1e-12);
        assertEquals(0.002, s.valueAt(500, 0), 1e-12);
        assertEquals(0.0002, s.valueAt(1000, 0), 1e-12);
    }

    @Test
    void scalesTheLearningRateLinearlyWithTheBatch() {
        assertEquals(0.005, TrainerConfig.scaledLearningRate(0.01, 8), 1e-12);
        assertEquals(0.02, TrainerConfig.scaledLearningRate(0.01, 32), 1e-12);
    }

    @Test
    void survivesTheGraphConfigurationJsonSoResumeKeepsIt() {
        TrainerConfig c = TrainerConfig.builder().learningRate(0.03).warmup(10, 0.1).stepDecay(0.1, 40)
                .maxIterations(50).build();
        ComputationGraph g = TinyGraphs.graph(3);
        OptimizationRecipe.apply(g, c);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson());
        var layer = (org.deeplearning4j.nn.conf.layers.BaseLayer)
                ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("conv")).getLayerConf().getLayer();
        Nesterovs u = (Nesterovs) layer.getIUpdater();
        assertEquals(c.schedule(), u.getLearningRateSchedule());
        assertEquals(0.9, u.getMomentum(), 1e-12);
        assertEquals(org.deeplearning4j.nn.conf.GradientNormalization.ClipL2PerLayer, layer.getGradientNormalization());
        assertEquals(1, layer.getRegularization().size());
    }
}
