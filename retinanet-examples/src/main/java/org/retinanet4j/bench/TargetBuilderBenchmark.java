package org.retinanet4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.targets.TargetBuilder;

/**
 * Times {@link TargetBuilder#build} for a minibatch at COCO training size (800x1216 input, 182,403 anchors,
 * 91 classes) with 50 random boxes per image: matching, one-hot class targets, encoded box targets and the copy
 * into the two INDArrays the losses consume.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.TargetBuilderBenchmark ./retinanet [batch] [runs]</pre>
 */
public final class TargetBuilderBenchmark {

    private TargetBuilderBenchmark() {
    }

    public static void main(String[] args) {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int height = 800;
        int width = 1216;
        TargetBuilder builder = new TargetBuilder(new AnchorGenerator(AnchorConfig.torchvisionDefault()), 91);
        Random random = new Random(0);
        List<GroundTruth> batch = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            int[] labels = new int[50];
            for (int j = 0; j < labels.length; j++) {
                labels[j] = random.nextInt(91);
            }
            batch.add(new GroundTruth(MatchingBenchmark.randomBoxes(random, 50, width, height), labels));
        }
        double checksum = 0;
        for (int i = 0; i < 3; i++) {
            checksum += builder.build(batch, height, width).classTargets().getDouble(0, 0);
        }
        long[] nanos = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            RetinaNetTargets targets = builder.build(batch, height, width);
            nanos[r] = System.nanoTime() - t0;
            checksum += targets.boxTargets().getDouble(0, r);
        }
        System.out.printf("TargetBuilder.build: %d images x 50 boxes, 800x1216, 91 classes: %s (checksum %.1f)%n",
                batchSize, BenchTimes.describe(nanos), checksum);
    }
}
