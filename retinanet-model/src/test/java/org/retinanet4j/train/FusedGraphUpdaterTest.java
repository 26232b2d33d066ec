package org.retinanet4j.train;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.NesterovsUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.RandomPixelBatches;
import org.retinanet4j.updater.FusedAdamUpdater;
import org.retinanet4j.updater.FusedGraphUpdater;
import org.retinanet4j.zoo.RetinaNet;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Trainer's {@link FusedGraphUpdater} takes DL4J's optimiser step: after one step its Adam moments are the
 * first-step moments computed here in double from the raw gradient (divided by the minibatch size, each layer
 * rescaled to the clipping threshold), its parameters, batch-norm running statistics included (which DL4J neither
 * divides nor gives to Adam), are DL4J's updater's, and over several steps it follows DL4J's trajectory; from
 * scratch and in the fine-tuning form (frozen batch norm, stem and layer1 frozen). The same for the default
 * recipe, SGD with Nesterov momentum and weight decay (its velocities against the double reference). A recipe it
 * does not cover (L2 regularisation) goes to DL4J's path.
 */
class FusedGraphUpdaterTest {
    private static final int SIZE = 64;
    private static final int BATCH = 2;
    private static final double THRESHOLD = 0.05; // clips most layers, not all: both branches run

    @AfterEach
    void restore() {
        System.clearProperty(FusedGraphUpdater.PROPERTY);
    }

    @Test
    void fromScratchTakesDl4jsStep() {
        compare(BatchNormMode.TRAINABLE, 5);
    }

    @Test
    void fineTuningTakesDl4jsStep() {
        compare(BatchNormMode.FROZEN, 3);
    }

    @Test
    void sgdWithNesterovMomentumAndWeightDecayTakesDl4jsStep() {
        compare(BatchNormMode.TRAINABLE, 5, FusedGraphUpdaterTest::sgd);
    }

    private static void compare(BatchNormMode bn, int trainable) {
        compare(bn, trainable, FusedGraphUpdaterTest::adam);
    }

    private static void compare(BatchNormMode bn, int trainable, IntFunction<TrainerConfig> recipe) {
        List<MultiDataSet> batches = RandomPixelBatches.of(4, BATCH, SIZE, 3, 5);
        INDArray raw = rawGradient(bn, trainable, batches.get(0));

        Run fused = train(recipe.apply(1), bn, trainable, batches, true);
        Run dl4j = train(recipe.apply(1), bn, trainable, batches, false);
        assertEquals(1, fused.updater.fusedSteps(), "the step took the fused path");
        assertEquals(0, dl4j.updater.fusedSteps(), "the switch sends the step to DL4J's updater");
        double[] g = raw.toDoubleVector();
        Map<String, Double> scale = clippingScales(fused.updater, g);
        long clipped = scale.values().stream().filter(x -> x < 1).count();
        assertTrue(clipped > 0 && clipped < scale.size(),
                clipped + " of " + scale.size() + " layers clipped: both branches of the clipping ran");
        // double reference, float arithmetic: a few float roundings per element
        double worstFused = worstFirstState(fused.updater, g, scale);
        assertTrue(worstFused < 1e-5, "first Adam moments / velocities against the double reference: " + worstFused);
        // DL4J's own state carries the rounding of its float layer norms, far larger
        double worstDl4j = worstFirstState(dl4j.updater, g, scale);
        assertTrue(worstDl4j < 5e-3, "DL4J's first moments / velocities against the reference: " + worstDl4j);
        System.out.printf("first moments / velocities against the double reference: fused %.2e, DL4J's %.2e%n",
                worstFused, worstDl4j);
        assertClose(dl4j.params, fused.params, 1e-6, "parameters after one step (running statistics included)");
        assertTrue(fused.params.sub(fused.start).amaxNumber().doubleValue() > 5e-4, "the parameters moved");

        Run fused4 = train(recipe.apply(4), bn, trainable, batches, true);
        Run dl4j4 = train(recipe.apply(4), bn, trainable, batches, false);
        // four steps through batch norms over 8 values per channel amplify those last-bit differences
        assertClose(dl4j4.params, fused4.params, 5e-5, "parameters after four steps");
    }

    /** The fused step reports a NaN it wrote, in an Adam block and in a no-op block (running statistics). */
    @Test
    void aNonFiniteUpdateIsReported() {
        ComputationGraph net = zoo(BatchNormMode.TRAINABLE, 5).init();
        OptimizationRecipe.apply(net, adam(3));
        FusedGraphUpdater u = FusedGraphUpdater.install(net);
        MultiDataSet batch = RandomPixelBatches.of(1, BATCH, SIZE, 3, 5).get(0);
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        int adamAt = -1;
        int noOpAt = -1;
        net.computeGradientAndScore();
        u.update(net.gradient(), 0, 0, BATCH, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(1, u.fusedSteps());
        assertTrue(u.lastFusedStepFinite(), "a clean step is finite");
        for (UpdaterBlock ub : u.getUpdaterBlocks()) {
            if (ub.getGradientUpdater() instanceof FusedAdamUpdater) {
                adamAt = adamAt < 0 ? ub.getParamOffsetEnd() - 1 : adamAt;
            } else if (noOpAt < 0) {
                noOpAt = ub.getParamOffsetStart();
            }
        }
        assertTrue(adamAt >= 0 && noOpAt >= 0, "both kinds of block exist");
        for (int at : new int[]{adamAt, noOpAt}) {
            net.computeGradientAndScore();
            net.getFlattenedGradients().putScalar(at, Float.NaN);
            u.update(net.gradient(), 1, 0, BATCH, LayerWorkspaceMgr.noWorkspaces());
            assertFalse(u.lastFusedStepFinite(), "a NaN gradient at " + at + " is reported");
        }
    }

    /** A graph whose gradient array is made again (a new gradient view) gets a new plan, not a stale one. */
    @Test
    void aNewGradientArrayIsPlannedAgain() {
        MultiDataSet batch = RandomPixelBatches.of(1, BATCH, SIZE, 3, 5).get(0);
        INDArray[] updates = new INDArray[2];
        for (int k = 0; k < 2; k++) {
            boolean fused = k == 0;
            System.setProperty(FusedGraphUpdater.PROPERTY, Boolean.toString(fused));
            ComputationGraph net = zoo(BatchNormMode.TRAINABLE, 5).init();
            OptimizationRecipe.apply(net, adam(2));
            FusedGraphUpdater u = FusedGraphUpdater.install(net);
            net.setInputs(batch.getFeatures());
            net.setLabels(batch.getLabels());
            net.computeGradientAndScore();
            u.update(net.gradient(), 0, 0, BATCH, LayerWorkspaceMgr.noWorkspaces());
            net.initGradientsView();
            net.computeGradientAndScore();
            u.update(net.gradient(), 1, 0, BATCH, LayerWorkspaceMgr.noWorkspaces());
            assertEquals(fused ? 2 : 0, u.fusedSteps());
            updates[k] = net.getFlattenedGradients().dup();
        }
        assertClose(updates[1], updates[0], 1e-5, "second step's updates in the new gradient array");
    }

    @Test
    void otherRecipesTakeDl4jsUpdater() {
        ComputationGraph net = zoo(BatchNormMode.TRAINABLE, 5).init();
        OptimizationRecipe.apply(net, sgd(1));
        // one layer with weight decay takes L2 instead
        Arrays.stream(net.getLayers()).map(l -> l.conf().getLayer()).filter(l -> l instanceof BaseLayer)
                .map(l -> (BaseLayer) l).filter(l -> l.getRegularization() != null && !l.getRegularization().isEmpty())
                .findFirst().orElseThrow().setRegularization(List.of(new L2Regularization(1e-4)));
        FusedGraphUpdater u = FusedGraphUpdater.install(net);
        MultiDataSet batch = RandomPixelBatches.of(1, BATCH, SIZE, 3, 5).get(0);
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        INDArray before = net.params().dup();
        u.update(net.gradient(), 0, 0, BATCH, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(0, u.fusedSteps(), "L2 regularisation is DL4J's path");
        assertTrue(net.getFlattenedGradients().amaxNumber().doubleValue() > 0, "and DL4J's step still ran");
        assertTrue(before.equals(net.params()), "the updater leaves the parameters to the optimiser");
    }

    /** The default recipe's optimiser: SGD, Nesterov momentum, decoupled weight decay, clipping. */
    private static TrainerConfig sgd(int steps) {
        return TrainerConfig.builder().optimizer(OptimizerKind.SGD).learningRate(1e-2).momentum(0.9)
                .weightDecay(1e-2).warmup(0, 1).gradientClipL2(THRESHOLD).maxIterations(steps).build();
    }

    private record Run(INDArray start, INDArray params, FusedGraphUpdater updater) {
    }

    private static TrainerConfig adam(int steps) {
        return TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3).weightDecay(0)
                .warmup(0, 1).gradientClipL2(THRESHOLD).maxIterations(steps).build();
    }

    private static RetinaNet zoo(BatchNormMode bn, int trainable) {
        return RetinaNet.smallBuilder(3).inputShape(3, 128, 128).batchNormMode(bn)
                .trainableBackboneLayers(trainable).seed(2).build();
    }

    private static Run train(TrainerConfig c, BatchNormMode bn, int trainable, List<MultiDataSet> batches,
                             boolean fused) {
        System.setProperty(FusedGraphUpdater.PROPERTY, Boolean.toString(fused));
        RetinaNet zoo = zoo(bn, trainable);
        ComputationGraph net = zoo.init();
        INDArray start = net.params().dup();
        new Trainer(c, ModelMetadata.of(zoo.spec(), List.of("a", "b", "c"), new int[]{1, 2, 3}))
                .fit(net, epoch -> new TinyGraphs.ListIterator(batches));
        FusedGraphUpdater u = assertInstanceOf(FusedGraphUpdater.class, net.getUpdater(false));
        return new Run(start, net.params().dup(), u);
    }

    /** The flat gradient of the first batch before any step, as DL4J hands it to its updater. */
    private static INDArray rawGradient(BatchNormMode bn, int trainable, MultiDataSet batch) {
        ComputationGraph net = zoo(bn, trainable).init();
        OptimizationRecipe.apply(net, adam(1));
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        return net.getFlattenedGradients().dup();
    }

    /** DL4J's ClipL2PerLayer factor per layer, in double, from the raw gradient divided where DL4J divides. */
    private static Map<String, Double> clippingScales(FusedGraphUpdater u, double[] g) {
        Map<String, Double> squares = new HashMap<>();
        for (UpdaterBlock ub : u.getUpdaterBlocks()) {
            for (UpdaterBlock.ParamState p : ub.getLayersAndVariablesInBlock()) {
                boolean divided = p.getLayer().updaterDivideByMinibatch(p.getParamName());
                double sum = 0;
                for (int i = p.getParamOffsetStart(); i < p.getParamOffsetEnd(); i++) {
                    double x = divided ? g[i] / BATCH : g[i];
                    sum += x * x;
                }
                squares.merge(p.getLayer().getConfig().getLayerName(), sum, Double::sum);
            }
        }
        Map<String, Double> scale = new HashMap<>();
        squares.forEach((layer, sum) -> {
            double l2 = Math.sqrt(sum);
            scale.put(layer, l2 > THRESHOLD ? THRESHOLD / l2 : 1.0);
        });
        return scale;
    }

    /**
     * Worst relative difference of the first step's state from the double reference: Adam's first moments,
     * (1 - beta1) x g / batch x scale, or Nesterov's velocities, -lr x g / batch x scale (weight decay acts on
     * the update, not the velocity).
     */
    private static double worstFirstState(FusedGraphUpdater u, double[] g, Map<String, Double> scale) {
        double worst = 0;
        int blocks = 0;
        for (UpdaterBlock ub : u.getUpdaterBlocks()) {
            float[] m;
            double factor;
            if (ub.getGradientUpdater() instanceof FusedAdamUpdater adam) {
                m = adam.getM().toFloatVector();
                factor = 0.1;
            } else if (ub.getGradientUpdater() instanceof NesterovsUpdater nesterov) {
                m = nesterov.getState().get(NesterovsUpdater.V_STATE).toFloatVector();
                factor = -nesterov.getConfig().getLearningRate(0, 0); // the first step's rate
            } else {
                continue;
            }
            blocks++;
            for (UpdaterBlock.ParamState ps : ub.getLayersAndVariablesInBlock()) {
                double s = scale.get(ps.getLayer().getConfig().getLayerName());
                for (int i = ps.getParamOffsetStart(); i < ps.getParamOffsetEnd(); i++) {
                    double expected = factor * g[i] / BATCH * s;
                    double actual = m[i - ub.getParamOffsetStart()];
                    worst = Math.max(worst, Math.abs(actual - expected) / (Math.abs(expected) + 1e-12));
                }
            }
        }
        assertTrue(blocks > 0, "blocks with state to compare");
        return worst;
    }

    /** Every element within {@code tolerance} x max(1, |expected|). */
    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        INDArray scale = Transforms.max(Transforms.abs(expected), 1.0);
        double worst = Transforms.abs(actual.sub(expected)).divi(scale).maxNumber().doubleValue();
        assertTrue(worst <= tolerance, what + ": worst relative difference " + worst);
    }
}
