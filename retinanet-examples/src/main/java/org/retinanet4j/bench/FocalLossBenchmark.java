package org.retinanet4j.bench;

import java.util.Arrays;
import java.util.Random;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.loss.FocalLoss;

/**
 * Forward+backward time of {@link FocalLoss} (and {@link BoxRegressionLoss}) as DL4J's LossLayer calls them in
 * training: {@code computeGradient} then {@code computeScore} on the same arrays (the score then comes from the
 * gradient pass), float32, one image per minibatch unless told. "score only" and "gradient only" time each call
 * alone.
 *
 * <p>Run: {@code RETINANET_MAIN=org.retinanet4j.bench.FocalLossBenchmark ./retinanet [runs] [images] [graph]}
 * (defaults 7 runs, 1 image; {@code graph} also times the SameDiff graph path, at most 3 runs).
 * Shapes: 120,000 x 80 and 49,104 x 80 anchors x classes; labels with 2% positive
 * anchors (one-hot) and 5% ignored anchors, like tools/bench_torch_focal_loss.py, the torchvision reference.
 * Prints the median and minimum of the timed runs after 2 warm-up runs.
 */
public final class FocalLossBenchmark {
    private static final int CLASSES = 80;
    private static final IActivation IDENTITY = new ActivationIdentity();

    private FocalLossBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        boolean graphToo = args.length > 2 && "graph".equals(args[2]);
        System.out.printf("ND4J threads: %s, images per minibatch: %d%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), images);
        for (int anchors : new int[] {120_000, 49_104}) {
            Random random = new Random(anchors);
            INDArray logits = Nd4j.randn(DataType.FLOAT, images, (long) anchors * CLASSES).muli(2).subi(4);
            INDArray labels = classLabels(random, images, anchors);
            FocalLoss focal = new FocalLoss();
            report("FocalLoss fwd+bwd", anchors, CLASSES, images, runs, () -> {
                focal.computeGradient(labels, logits, IDENTITY, null);
                focal.computeScore(labels, logits, IDENTITY, null, true);
            });
            if (graphToo) {
                FocalLoss graph = new FocalLoss();
                graph.useSameDiffGraph(true);
                report("FocalLoss SameDiff graph fwd+bwd", anchors, CLASSES, images, Math.min(runs, 3), () -> {
                    graph.computeScore(labels, logits, IDENTITY, null, true);
                    graph.computeGradient(labels, logits, IDENTITY, null);
                });
            }
            report("  of which score only", anchors, CLASSES, images, runs,
                    () -> focal.computeScore(labels, logits, IDENTITY, null, true));
            report("  of which gradient only", anchors, CLASSES, images, runs,
                    () -> focal.computeGradient(labels, logits, IDENTITY, null));
            report("  label check (in both)", anchors, CLASSES, images, runs,
                    () -> focal.checkInput(labels, logits));
            INDArray deltas = Nd4j.randn(DataType.FLOAT, images, anchors * 4L).muli(0.5);
            INDArray boxLabels = boxLabels(random, labels, images, anchors);
            BoxRegressionLoss box = new BoxRegressionLoss();
            report("BoxRegressionLoss(L1) fwd+bwd", anchors, 4, images, runs, () -> {
                box.computeGradient(boxLabels, deltas, IDENTITY, null);
                box.computeScore(boxLabels, deltas, IDENTITY, null, true);
            });
        }
    }

    private static INDArray classLabels(Random random, int images, int anchors) {
        float[] values = new float[images * anchors * CLASSES];
        for (int a = 0; a < images * anchors; a++) {
            double u = random.nextDouble();
            if (u < 0.02) {
                values[a * CLASSES + random.nextInt(CLASSES)] = 1f;
            } else if (u < 0.07) {
                Arrays.fill(values, a * CLASSES, (a + 1) * CLASSES, FocalLoss.IGNORE);
            }
        }
        return Nd4j.createFromArray(values).reshape(images, (long) anchors * CLASSES);
    }

    /** Targets for the anchors that are positive in the class labels, NOT_POSITIVE elsewhere. */
    private static INDArray boxLabels(Random random, INDArray classLabels, int images, int anchors) {
        float[] cls = classLabels.data().asFloat();
        float[] values = new float[images * anchors * 4];
        for (int a = 0; a < images * anchors; a++) {
            boolean positive = false;
            for (int k = 0; k < CLASSES && !positive; k++) {
                positive = cls[a * CLASSES + k] == 1f;
            }
            for (int j = 0; j < 4; j++) {
                values[a * 4 + j] = positive ? (float) (random.nextGaussian() * 0.5) : BoxRegressionLoss.NOT_POSITIVE;
            }
        }
        return Nd4j.createFromArray(values).reshape(images, anchors * 4L);
    }

    /** Warm-up twice, then prints median and minimum of the timed runs. */
    private static void report(String what, int anchors, int width, int images, int runs, Runnable body) {
        long[] nanos = new long[runs];
        for (int i = -2; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            if (i >= 0) {
                nanos[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(nanos);
        System.out.printf("%-32s %,7d x %-2d x %d image(s): median %7.1f ms, min %7.1f ms over %d runs%n",
                what, anchors, width, images, nanos[runs / 2] / 1e6, nanos[0] / 1e6, runs);
    }
}
