package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.targets.TargetBuilder;
import org.retinanet4j.zoo.RetinaNet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ParallelWrapper (2 workers, CPU backend) trains the RetinaNet graph itself, SameDiff heads included, and one
 * averaging round gives exactly what DL4J's AVERAGING mode promises: worker 0 is the graph itself, worker 1 a copy
 * with the same parameters and updater state; each takes one optimiser step on its own batch, then parameters and
 * updater state are replaced by the mean of the two. The test recomputes that mean independently, with two plain
 * {@code ComputationGraph.fit} calls on separately built copies of the same start.
 */
class ParallelWrapperTrainingTest {
    private static final int SIZE = 128;

    @Test
    void twoWorkersTrainTheRetinaNetGraph() {
        int size = 128;
        RetinaNet zoo = RetinaNet.builder().numClasses(2).backbone(ResNetDepth.RESNET18).fpnWidth(16)
                .headWidth(16).headDepth(1).inputShape(3, size, size).seed(3).build();
        ComputationGraph graph = zoo.init();
        INDArray before = graph.params().dup();
        List<MultiDataSet> batches = batches(4, size);
        TrainerConfig config = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3).warmup(0, 1)
                .workers(2).maxIterations(2).build();
        TrainingResult r = new Trainer(config, ModelMetadata.of(zoo.spec(), List.of("a", "b"), new int[]{1, 2})).fit(graph, epoch -> new TinyGraphs.ListIterator(batches));
        assertEquals(2, r.state().iteration(), "2 steps of 2 workers");
        assertEquals(4, r.state().batchInEpoch(), "one batch per worker per step");
        assertTrue(Double.isFinite(r.lastLoss()), "loss " + r.lastLoss());
        INDArray after = graph.params();
        assertTrue(Double.isFinite(after.sumNumber().doubleValue()));
        double moved = after.sub(before).amaxNumber().doubleValue();
        assertTrue(moved > 1e-5, "the averaged parameters reached the main graph (moved " + moved + ")");
        String head = graph.getConfiguration().getVertices().keySet().stream().filter(k -> k.contains("head"))
                .findFirst().orElseThrow();
        assertTrue(graph.getVertex(head).paramTable(false).values().stream().anyMatch(p -> p.length() > 0),
                "the SameDiff head " + head + " has parameters");
    }

    @Test
    void oneAveragingRoundIsTheMeanOfEachWorkersOwnStep() {
        List<MultiDataSet> batches = batches(2, SIZE);
        TrainerConfig config = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3).warmup(0, 1)
                .workers(2).maxIterations(1).build();
        ComputationGraph wrapped = graph();
        new Trainer(config, metadata()).fit(wrapped, epoch -> new TinyGraphs.ListIterator(batches));

        ComputationGraph[] alone = new ComputationGraph[2];
        for (int w = 0; w < 2; w++) {
            alone[w] = graph();
            assertEquals(wrapped.params().length(), alone[w].params().length());
            OptimizationRecipe.apply(alone[w], config);
            alone[w].getConfiguration().setIterationCount(0);
            alone[w].fit(batches.get(w));
        }
        INDArray meanParams = alone[0].params().add(alone[1].params()).divi(2);
        INDArray meanState = updaterState(alone[0]).add(updaterState(alone[1])).divi(2);

        double tolerance = 1e-6;
        double paramsOff = wrapped.params().sub(meanParams).amaxNumber().doubleValue();
        double stateOff = updaterState(wrapped).sub(meanState).amaxNumber().doubleValue();
        assertTrue(paramsOff <= tolerance, "parameters differ from the mean of the workers' steps by " + paramsOff);
        assertTrue(stateOff <= tolerance, "Adam state differs from the mean of the workers' states by " + stateOff);
        // and the comparison can tell: each worker's own result is far from the mean
        for (int w = 0; w < 2; w++) {
            double apart = alone[w].params().sub(meanParams).amaxNumber().doubleValue();
            assertTrue(apart > 100 * tolerance, "worker " + w + " alone is only " + apart + " from the mean");
        }
    }

    private static RetinaNet zoo() {
        return RetinaNet.builder().numClasses(2).backbone(ResNetDepth.RESNET18).fpnWidth(16).headWidth(16)
                .headDepth(1).inputShape(3, SIZE, SIZE).seed(3).build();
    }

    private static ComputationGraph graph() {
        return zoo().init();
    }

    private static ModelMetadata metadata() {
        return ModelMetadata.of(zoo().spec(), List.of("a", "b"), new int[]{1, 2});
    }

    private static INDArray updaterState(ComputationGraph g) {
        return g.getUpdater(false).getStateViewArray();
    }

    private static List<MultiDataSet> batches(int n, int size) {
        TargetBuilder targets = new TargetBuilder(new AnchorGenerator(AnchorConfig.torchvisionDefault()), 2);
        List<MultiDataSet> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            Nd4j.getRandom().setSeed(b);
            INDArray x = Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, size, size);
            float o = 10 + 20 * b;
            RetinaNetTargets t = targets.build(List.of(new GroundTruth(new float[]{o, o, o + 50, o + 40},
                    new int[]{b % 2}, new boolean[1])), size, size);
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{x},
                    new INDArray[]{t.classTargets(), t.boxTargets()}));
        }
        return out;
    }
}
