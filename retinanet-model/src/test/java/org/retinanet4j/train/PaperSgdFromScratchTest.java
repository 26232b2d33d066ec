package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.targets.TargetBuilder;
import org.retinanet4j.zoo.RetinaNet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper's optimiser (SGD with momentum 0.9, clipping, weight decay) on the from-scratch small configuration,
 * without warm-up and at the full 0.01 (the recipe would use 0.01 x 4 / 16): every step stays finite and the loss
 * falls. Guards against exploding steps on random-pixel batches, seen once on a heavily loaded machine and not
 * reproduced since (see docs/training.md).
 */
class PaperSgdFromScratchTest {
    private static final int SIZE = 128;
    private static final int CLASSES = 3;

    @Test
    void sgdWithoutWarmupStaysFiniteAndLowersTheLoss() {
        ComputationGraph net = RetinaNet.smallBuilder(CLASSES).inputShape(3, SIZE, SIZE).seed(1).build().init();
        List<MultiDataSet> batches = randomPixelBatches(3, 4, 17);
        List<Double> losses = new ArrayList<>();
        ProgressReporter record = new ProgressReporter() {
            @Override
            public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
                losses.add(loss);
            }
        };
        TrainerConfig c = TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(0.01).warmup(0, 1)
                .maxIterations(15).seed(3).build();
        new Trainer(c, ModelMetadata.of(List.of("a", "b", "c"), new int[]{1, 2, 3}, SIZE, SIZE, "small"))
                .progress(record).fit(net, epoch -> new TinyGraphs.ListIterator(batches));

        assertTrue(losses.stream().allMatch(Double::isFinite), "finite losses: " + losses);
        double first = mean(losses.subList(0, 3));
        double last = mean(losses.subList(losses.size() - 3, losses.size()));
        assertTrue(last < 0.9 * first, "loss fell from " + first + " only to " + last + ": " + losses);
        assertTrue(Double.isFinite(net.params().sumNumber().doubleValue()), "parameters finite");
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** Uniform random pixels in [-2, 2] with three random square boxes per image and real targets. */
    private static List<MultiDataSet> randomPixelBatches(int n, int batch, long seed) {
        TargetBuilder targets = new TargetBuilder(new AnchorGenerator(AnchorConfig.torchvisionDefault()), CLASSES);
        Random r = new Random(seed);
        Nd4j.getRandom().setSeed(seed);
        List<MultiDataSet> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            INDArray images = Nd4j.rand(DataType.FLOAT, batch, 3, SIZE, SIZE).subi(0.5).muli(4);
            List<GroundTruth> truths = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                float[] boxes = new float[12];
                int[] labels = new int[3];
                for (int k = 0; k < 3; k++) {
                    float w = SIZE * (0.25f + 0.4f * r.nextFloat());
                    float x = r.nextFloat() * (SIZE - w);
                    float y = r.nextFloat() * (SIZE - w);
                    boxes[4 * k] = x;
                    boxes[4 * k + 1] = y;
                    boxes[4 * k + 2] = x + w;
                    boxes[4 * k + 3] = y + w;
                    labels[k] = r.nextInt(CLASSES);
                }
                truths.add(new GroundTruth(boxes, labels, new boolean[3]));
            }
            RetinaNetTargets t = targets.build(truths, SIZE, SIZE);
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{images},
                    new INDArray[]{t.classTargets(), t.boxTargets()}));
        }
        return out;
    }
}
