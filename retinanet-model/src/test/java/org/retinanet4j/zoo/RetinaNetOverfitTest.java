package org.retinanet4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.targets.TargetBuilder;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small configuration memorises a handful of synthetic images: focal + L1 loss falls at least 10x. The images
 * are 64x64 (the graph runs any multiple of 32) to keep the test short on 2 cores.
 */
class RetinaNetOverfitTest {
    private static final Logger log = LoggerFactory.getLogger(RetinaNetOverfitTest.class);
    private static final int SIZE = 64;
    private static final int IMAGES = 4;
    private static final int CLASSES = 3;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void smallConfigurationOverfitsAFewImages() {
        RetinaNet zoo = RetinaNet.smallBuilder(CLASSES).seed(3).build();
        ComputationGraph net = zoo.init();
        // DL4J's own fit with a plain Adam 1e-3: the recipe goes on the graph first, as for any direct fit
        OptimizationRecipe.apply(net, TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3)
                .warmup(0, 1).gradientClipL2(0).build());
        MultiDataSet batch = syntheticBatch(zoo.spec());

        double first = net.score(batch, true);
        double last = first;
        for (int i = 0; i < 400 && last > first / 10; i++) {
            net.fit(batch);
            last = net.score();
            log.debug("overfit iteration {}: loss {}", i, last);
        }
        log.info("overfit: loss {} -> {}", first, last);
        assertTrue(last <= first / 10, "loss fell from " + first + " only to " + last);
    }

    /** One coloured rectangle per image on a dark background, class = colour channel. */
    private static MultiDataSet syntheticBatch(RetinaNetSpec spec) {
        INDArray images = Nd4j.zeros(DataType.FLOAT, IMAGES, 3, SIZE, SIZE).subi(1.0);
        List<GroundTruth> truths = new ArrayList<>();
        int[][] boxes = {{4, 8, 40, 44}, {20, 16, 60, 50}, {10, 24, 50, 62}, {28, 2, 62, 34}};
        for (int i = 0; i < IMAGES; i++) {
            int[] b = boxes[i];
            int cls = i % CLASSES;
            images.get(NDArrayIndex.point(i), NDArrayIndex.point(cls), NDArrayIndex.interval(b[1], b[3]),
                    NDArrayIndex.interval(b[0], b[2])).assign(2.0);
            truths.add(new GroundTruth(new float[]{b[0], b[1], b[2], b[3]}, new int[]{cls}));
        }
        TargetBuilder targets = new TargetBuilder(spec);
        RetinaNetTargets t = targets.build(truths, SIZE, SIZE);
        return new MultiDataSet(new INDArray[]{images}, new INDArray[]{t.classTargets(), t.boxTargets()});
    }
}
