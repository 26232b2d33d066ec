package org.retinanet4j.targets;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.spec.RetinaNetSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded batches for the RetinaNet graph with torchvision's default anchors: uniform random pixels in [-2, 2] and
 * three random squares (a quarter to two thirds of the image side, random classes) per image, with real targets.
 * For tests where the network's stability matters, not what it learns.
 */
public final class RandomPixelBatches {
    private RandomPixelBatches() {
    }

    /** {@code n} batches of {@code batch} images of {@code size} x {@code size}. */
    public static List<MultiDataSet> of(int n, int batch, int size, int classes, long seed) {
        TargetBuilder targets = new TargetBuilder(RetinaNetSpec.builder().numClasses(classes).build());
        Random r = new Random(seed);
        Nd4j.getRandom().setSeed(seed);
        List<MultiDataSet> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            INDArray images = Nd4j.rand(DataType.FLOAT, batch, 3, size, size).subi(0.5).muli(4);
            List<GroundTruth> truths = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                float[] boxes = new float[12];
                int[] labels = new int[3];
                for (int k = 0; k < 3; k++) {
                    float w = size * (0.25f + 0.4f * r.nextFloat());
                    float x = r.nextFloat() * (size - w);
                    float y = r.nextFloat() * (size - w);
                    boxes[4 * k] = x;
                    boxes[4 * k + 1] = y;
                    boxes[4 * k + 2] = x + w;
                    boxes[4 * k + 3] = y + w;
                    labels[k] = r.nextInt(classes);
                }
                truths.add(new GroundTruth(boxes, labels, new boolean[3]));
            }
            RetinaNetTargets t = targets.build(truths, size, size);
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{images},
                    new INDArray[]{t.classTargets(), t.boxTargets()}));
        }
        return out;
    }
}
