package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.targets.RandomPixelBatches;
import org.retinanet4j.zoo.RetinaNet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A library must not write to standard output: building, training and scoring the graph on the default paths
 * (direct heads, fused losses) builds no SameDiff gradient graph, whose construction prints a line per op.
 */
class QuietTrainingTest {
    @Test
    void trainingPrintsNothingOnStandardOutput() {
        MultiDataSet batch = RandomPixelBatches.of(1, 2, 64, 3, 9).get(0);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ComputationGraph net = RetinaNet.smallBuilder(3).inputShape(3, 128, 128).seed(1).build().init();
            net.fit(batch);
            net.score(batch);
            net.output(batch.getFeatures());
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("Added differentiated op"), "standard output: " + out);
    }
}
