package org.retinanet4j.examples.focalloss;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.boxes.BoxIou;
import org.retinanet4j.head.SharedConvHeadVertex;
import org.retinanet4j.targets.GroundTruth;

/**
 * Classification logits of a simulated, partly trained detector, for looking at the loss on a real anchor set
 * without training a network: the logit of anchor {@code a} for class {@code k} is
 * {@code bias + weight * IoU(a, the best box of class k) + noise * N(0, 1)}. With the paper's prior bias
 * ({@code -log((1 - 0.01) / 0.01) = -4.6}, every anchor starts at probability 0.01) most anchors, far from every
 * object, are easy negatives, and anchors on an object score higher the better they cover it. It is not a
 * trained network: it only has the shape of one. Seeded: the same arguments give the same logits.
 */
public final class SimulatedDetector {

    /** The bias of RetinaNet's classification head at initialisation: prior probability 0.01. */
    public static final double PRIOR_BIAS = SharedConvHeadVertex.priorBias(0.01);

    private final double bias;
    private final double weight;
    private final double noise;
    private final long seed;

    public SimulatedDetector(double bias, double weight, double noise, long seed) {
        this.bias = bias;
        this.weight = weight;
        this.noise = noise;
        this.seed = seed;
    }

    /** Logits {@code [1, A*K]} (column {@code a*K + k}, the graph's layout) for these anchors and ground truth. */
    public INDArray logits(float[] anchors, GroundTruth gt, int numClasses) {
        int a = anchors.length / 4;
        int g = gt.size();
        float[] iou = g == 0 ? new float[0] : BoxIou.matrix(anchors, gt.boxes());
        double[] out = new double[Math.multiplyExact(a, numClasses)];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < a; i++) {
            for (int k = 0; k < numClasses; k++) {
                double best = 0;
                for (int j = 0; j < g; j++) {
                    if (gt.labels()[j] == k) {
                        best = Math.max(best, iou[i * g + j]);
                    }
                }
                out[i * numClasses + k] = bias + weight * best + noise * gaussian(rng);
            }
        }
        return Nd4j.create(out, new long[] {1, out.length}, DataType.DOUBLE);
    }

    /** Box-Muller: a standard normal value from two uniform ones. */
    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
