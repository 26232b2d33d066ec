package org.retinanet4j.train;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.retinanet4j.persist.SavedModel;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A schedule replaced during training reaches the step itself, a run whose time limit comes before its
 * iterations decays its learning rate before it stops, and a run resumed from its checkpoint keeps that decay.
 */
class TimeFittedTrainingTest {

    @Test
    void aReplacedScheduleChangesTheNextStepAndKeepsTheOptimiserState() {
        TrainerConfig adam = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-2).warmup(0, 1)
                .weightDecay(0).maxIterations(2).build();
        ComputationGraph plain = TinyGraphs.graph(5);
        ComputationGraph decayed = TinyGraphs.graph(5);
        for (ComputationGraph g : new ComputationGraph[]{plain, decayed}) {
            new Trainer(adam, TinyGraphs.metadata()).fit(g, TinyGraphs.data(2, 4)); // two steps: Adam has moments
        }
        assertEquals(plain.params(), decayed.params(), "the twins are identical so far");
        int changed = OptimizationRecipe.setSchedule(decayed,
                new WarmupStepSchedule(1e-2, 0, 1, new int[]{2}, 0.1)); // x0.1 from iteration 2, the next one
        assertTrue(changed > 0, "updater configurations replaced");
        MultiDataSet batch = TinyGraphs.batches(1, 4, 99).get(0);
        INDArray before = plain.params().dup();
        plain.fit(batch);
        decayed.fit(batch);
        INDArray stepPlain = plain.params().sub(before);
        INDArray stepDecayed = decayed.params().sub(before);
        // Adam's step is lr times a function of its moments: the same moments, a tenth of the step
        double scale = stepPlain.amaxNumber().doubleValue();
        assertTrue(scale > 1e-4, "the step moved the parameters");
        double err = Transforms.abs(stepDecayed.sub(stepPlain.mul(0.1))).maxNumber().doubleValue();
        assertTrue(err < 1e-3 * scale, "a tenth of the step: max error " + err + " against " + scale);
        for (GraphVertex v : decayed.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                Adam a = assertInstanceOf(Adam.class, bl.getIUpdater());
                assertEquals(1e-3, a.getLearningRate(2, 0), 1e-12, "the configuration a saved model records");
            }
        }
    }

    @Test
    void aRunStoppedByItsTimeLimitHasDecayedBeforeItStops() {
        // far more iterations than four seconds allow: the configured milestone (8,000,000) would never come
        TrainerConfig config = fourSecondsOfTenMillionIterations().fitMilestonesToTime(true).build();
        ComputationGraph g = TinyGraphs.graph(6);
        TrainingResult result = new Trainer(config, TinyGraphs.metadata()).fit(g, TinyGraphs.data(20, 2));
        assertEquals(TrainingResult.StopReason.TIME_LIMIT, result.stopReason());
        int last = result.state().iteration();
        assertTrue(last > TimeFittedMilestones.FIRST_MEASURED_ITERATION + 2 * TimeFittedMilestones.REFIT_EVERY,
                "enough iterations to fit: " + last);
        for (GraphVertex v : g.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                Nesterovs n = assertInstanceOf(Nesterovs.class, bl.getIUpdater());
                WarmupStepSchedule s = assertInstanceOf(WarmupStepSchedule.class, n.getLearningRateSchedule());
                assertEquals(1e-4, s.valueAt(last - 1, 0), 1e-12,
                        "the last step ran at the decayed rate (" + s + ", " + last + " iterations)");
                assertEquals(1e-3, s.valueAt(0, 0), 1e-12, "the run started at the full rate");
            }
        }
    }

    @Test
    void withoutTheSettingTheMilestonesStay() {
        TrainerConfig config = fourSecondsOfTenMillionIterations().build();
        ComputationGraph g = TinyGraphs.graph(7);
        int last = new Trainer(config, TinyGraphs.metadata()).fit(g, TinyGraphs.data(20, 2)).state().iteration();
        assertTrue(last > TimeFittedMilestones.FIRST_MEASURED_ITERATION + 2 * TimeFittedMilestones.REFIT_EVERY,
                "enough iterations for a fit to have moved them: " + last);
        for (GraphVertex v : g.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                Nesterovs n = assertInstanceOf(Nesterovs.class, bl.getIUpdater());
                assertEquals(config.schedule(), n.getLearningRateSchedule());
            }
        }
    }

    @Test
    void aResumedRunStaysAtTheRateItsCheckpointHadDecayedTo() {
        // the first run's time limit moves the milestone (8,000,000) to a few hundred iterations and passes it; the
        // resumed run has a time limit of its own, in which a fresh fit would put the milestone ahead again
        TrainerConfig config = fourSecondsOfTenMillionIterations().fitMilestonesToTime(true).build();
        ComputationGraph g = TinyGraphs.graph(8);
        TrainingResult first = new Trainer(config, TinyGraphs.metadata()).fit(g, TinyGraphs.data(20, 2));
        int stopped = first.state().iteration();
        int[] moved = OptimizationRecipe.milestonesInForce(g).orElseThrow();
        assertTrue(moved[0] < stopped, "the first run decayed before it stopped: " + moved[0] + " < " + stopped);

        Checkpoint checkpoint = new Checkpoint(Path.of("in-memory"), new SavedModel(g, TinyGraphs.metadata()),
                first.state());
        TrainingResult second = new Trainer(config, TinyGraphs.metadata()).resume(checkpoint, TinyGraphs.data(20, 2));
        int end = second.state().iteration();
        assertTrue(end > stopped + TimeFittedMilestones.FIRST_MEASURED_ITERATION + 2 * TimeFittedMilestones.REFIT_EVERY,
                "the resumed run refitted: " + stopped + " -> " + end);
        assertArrayEquals(moved, OptimizationRecipe.milestonesInForce(g).orElseThrow(), "the passed milestone stays");
        for (GraphVertex v : g.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                Nesterovs n = assertInstanceOf(Nesterovs.class, bl.getIUpdater());
                for (int it : new int[]{stopped, (stopped + end) / 2, end - 1}) {
                    assertEquals(1e-4, n.getLearningRateSchedule().valueAt(it, 0), 1e-12,
                            "iteration " + it + " of the resumed run at the decayed rate");
                }
            }
        }
    }

    /** SGD at 1e-3 decaying x0.1 at iteration 8,000,000 of 10,000,000, stopped after four seconds. */
    private static TrainerConfig.Builder fourSecondsOfTenMillionIterations() {
        return TrainerConfig.builder().learningRate(1e-3).warmup(0, 1).stepDecay(0.1, 8_000_000)
                .maxIterations(10_000_000).maxDuration(Duration.ofSeconds(4));
    }
}
