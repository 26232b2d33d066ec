package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.RandomPixelBatches;
import org.retinanet4j.zoo.RetinaNet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper's optimiser (SGD with momentum 0.9, clipping, weight decay) on the from-scratch small configuration,
 * without warm-up and at the full 0.01 (the recipe would use 0.01 x 4 / 16): every step stays finite and the loss
 * falls. Guards against exploding steps on random-pixel batches, seen once on a heavily loaded machine and not
 * reproduced since (see docs/training.md).
 */
class PaperSgdFromScratchTest {
    private static final Logger log = LoggerFactory.getLogger(PaperSgdFromScratchTest.class);
    private static final int SIZE = 128;
    private static final int CLASSES = 3;

    @Test
    void sgdWithoutWarmupStaysFiniteAndLowersTheLoss() {
        RetinaNet zoo = RetinaNet.smallBuilder(CLASSES).inputShape(3, SIZE, SIZE).seed(1).build();
        ComputationGraph net = zoo.init();
        List<MultiDataSet> batches = RandomPixelBatches.of(3, 4, SIZE, CLASSES, 17);
        List<Double> losses = new ArrayList<>();
        ProgressReporter record = new ProgressReporter() {
            @Override
            public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
                losses.add(loss);
            }
        };
        TrainerConfig c = TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(0.01).warmup(0, 1)
                .maxIterations(15).seed(3).build();
        new Trainer(c, ModelMetadata.of(zoo.spec(), List.of("a", "b", "c"), new int[]{1, 2, 3}))
                .progress(record).fit(net, epoch -> new TinyGraphs.ListIterator(batches));

        log.info("paper SGD from scratch, losses per step: {}", losses);
        assertTrue(losses.stream().allMatch(Double::isFinite), "finite losses: " + losses);
        double first = mean(losses.subList(0, 3));
        double last = mean(losses.subList(losses.size() - 3, losses.size()));
        assertTrue(last < 0.9 * first, "loss fell from " + first + " only to " + last + ": " + losses);
        assertTrue(Double.isFinite(net.params().sumNumber().doubleValue()), "parameters finite");
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
