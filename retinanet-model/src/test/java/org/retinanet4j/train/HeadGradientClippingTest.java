package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.RandomPixelBatches;
import org.retinanet4j.zoo.RetinaNet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-layer L2 clipping reaches the shared heads too: one plain-SGD step (momentum 0, no weight decay, so the step
 * is lr x the clipped gradient) moves each head by exactly lr x threshold in L2 norm (the head's whole gradient is
 * rescaled to the threshold), while the unclipped step is far larger.
 */
class HeadGradientClippingTest {
    private static final int SIZE = 64; // the graph runs any multiple of 32

    @Test
    void clippingBoundsTheHeadsStep() {
        double lr = 0.1;
        double threshold = 1e-3;
        double[] clipped = headSteps(lr, threshold);
        double[] free = headSteps(lr, 0);
        for (int h = 0; h < 2; h++) {
            // float32 parameters: the step is measured as a difference of parameters (3e-4 relative seen)
            assertEquals(lr * threshold, clipped[h], lr * threshold * 1e-3, "head " + h + " clipped step");
            assertTrue(free[h] > 100 * lr * threshold, "head " + h + " unclipped step " + free[h]);
        }
    }

    /** L2 norm of the change of the classification and box heads' parameters after one step. */
    private static double[] headSteps(double lr, double clip) {
        RetinaNet zoo = RetinaNet.smallBuilder(3).inputShape(3, 128, 128).seed(2).build();
        ComputationGraph net = zoo.init();
        INDArray cls = net.getVertex(RetinaNet.CLS_HEAD).params().dup();
        INDArray box = net.getVertex(RetinaNet.BOX_HEAD).params().dup();
        TrainerConfig c = TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(lr).momentum(0)
                .weightDecay(0).warmup(0, 1).gradientClipL2(clip).maxIterations(1).build();
        new Trainer(c, ModelMetadata.of(zoo.spec(), List.of("a", "b", "c"), new int[]{1, 2, 3}))
                .fit(net, epoch -> new TinyGraphs.ListIterator(RandomPixelBatches.of(1, 2, SIZE, 3, 5)));
        return new double[]{net.getVertex(RetinaNet.CLS_HEAD).params().sub(cls).norm2Number().doubleValue(),
                net.getVertex(RetinaNet.BOX_HEAD).params().sub(box).norm2Number().doubleValue()};
    }
}

