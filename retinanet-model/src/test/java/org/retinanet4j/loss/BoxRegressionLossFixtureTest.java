package org.retinanet4j.loss;

import static org.retinanet4j.loss.LossFixture.ABS;
import static org.retinanet4j.loss.LossFixture.REL;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/** BoxRegressionLoss against torch's l1_loss / smooth_l1_loss on positive anchors, / max(1, positives). */
class BoxRegressionLossFixtureTest {

    private static BoxRegressionLoss lossOf(LossFixture f, boolean sameDiffGraph) {
        BoxRegressionLoss loss =
                new BoxRegressionLoss(BoxRegressionLoss.Type.valueOf(f.text("type")), f.number("beta"));
        loss.useSameDiffGraph(sameDiffGraph);
        return loss;
    }

    @ParameterizedTest
    @ValueSource(strings = {"l1", "smooth_l1_ninth", "smooth_l1_one"})
    void perImageScoresMeanAndGradientMatchTorch(String name) {
        LossFixture f = LossFixture.load("box_" + name);
        for (boolean graph : new boolean[] {false, true}) {
            f.assertLossMatches(lossOf(f, graph), "predictions", DataType.DOUBLE, REL, ABS, path(graph, name));
            f.assertLossMatches(lossOf(f, graph), "predictions", DataType.FLOAT, 1e-4, 1e-6,
                    path(graph, name) + " (float)");
        }
    }

    private static String path(boolean graph, String name) {
        return (graph ? "SameDiff graph, " : "fused, ") + name;
    }
}
