package org.retinanet4j.train;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.retinanet4j.updater.FusedAdam;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one home of the optimiser: puts a {@link TrainerConfig}'s optimiser, schedule, weight decay and gradient
 * clipping onto every trainable part of an existing graph (layers and SameDiff vertices), replacing whatever the
 * graph carried, and gives it a fresh updater. {@code Trainer.fit} calls it once when a run starts from scratch
 * (a resumed run keeps the restored configuration and state); call it yourself before fitting a graph with
 * DL4J's own {@code fit}. The zoo's graphs are built with {@link #defaultUpdater()}, the default recipe's
 * updater, and have no builder setting of their own for it.
 *
 * <p>Clipping: {@link GradientNormalization#ClipL2PerLayer} rescales a layer's gradient when its L2 norm exceeds
 * the threshold. Unlike element-wise clipping it keeps each layer's gradient direction, and it only acts on the
 * rare exploding steps (early iterations, before warm-up ends) that would otherwise turn the loss into NaN.
 * Weight decay (decoupled, applied with the learning rate) goes on weights, not biases. The shared heads get the
 * same settings; their vertex applies the clipping itself (DL4J M2.1's updater does not, see
 * {@code SharedConvHeadGraphVertex}).
 */
public final class OptimizationRecipe {

    private OptimizationRecipe() {
    }

    /** The updater of {@code TrainerConfig.builder().build()} (the paper's SGD and schedule). */
    public static IUpdater defaultUpdater() {
        return updater(TrainerConfig.builder().build());
    }

    public static IUpdater updater(TrainerConfig c) {
        WarmupStepSchedule schedule = c.schedule();
        return switch (c.optimizer()) {
            case SGD -> new Nesterovs(schedule, c.momentum());
            case ADAM, ADAMW -> new FusedAdam(schedule); // ND4J's Adam, its step fused
        };
    }

    public static List<Regularization> weightRegularization(TrainerConfig c) {
        boolean decay = c.weightDecay() > 0 && c.optimizer() != OptimizerKind.ADAM;
        return decay ? List.of(new WeightDecay(c.weightDecay(), true)) : List.of();
    }

    /** Applies the recipe to every layer and SameDiff vertex and resets the updater state. */
    public static void apply(ComputationGraph graph, TrainerConfig c) {
        IUpdater updater = updater(c);
        List<Regularization> reg = weightRegularization(c);
        GradientNormalization gn = c.gradientClipL2() > 0 ? GradientNormalization.ClipL2PerLayer
                : GradientNormalization.None;
        forEachPart(graph, bl -> configure(bl, updater, reg, gn, c.gradientClipL2()), sv -> {
            sv.setUpdater(updater.clone());
            sv.setBiasUpdater(updater.clone());
            sv.setRegularization(reg);
            sv.setRegularizationBias(List.of());
            sv.setGradientNormalization(gn);
            sv.setGradientNormalizationThreshold(c.gradientClipL2());
        });
        if (graph.getUpdater(false) != null) {
            // DL4J builds a new updater (and its state) from the changed configuration at the next fit
            graph.setUpdater(null);
        }
    }

    /**
     * Replaces the learning-rate schedule of every trainable part of a graph that is training, keeping the updater
     * and its state (Adam's moments, the momentum): the layers' and vertices' configurations (what a saved model
     * or checkpoint records) and the live updater's blocks (what the next step uses). Parts whose updater has no
     * schedule (frozen parts, {@code NoOp}) are left alone. Returns how many updater configurations changed.
     */
    public static int setSchedule(ComputationGraph graph, WarmupStepSchedule schedule) {
        int[] changed = {0};
        forEachPart(graph,
                bl -> changed[0] += replace(bl.getIUpdater(), schedule) + replace(bl.getBiasUpdater(), schedule),
                sv -> changed[0] += replace(sv.getUpdater(), schedule) + replace(sv.getBiasUpdater(), schedule));
        if (graph.getUpdater(false) != null) {
            for (UpdaterBlock block : graph.getUpdater(false).getUpdaterBlocks()) {
                if (block.getGradientUpdater() != null) {
                    changed[0] += replace(block.getGradientUpdater().getConfig(), schedule);
                }
            }
        }
        return changed[0];
    }

    /**
     * The milestones of the {@link WarmupStepSchedule} the graph's trainable layers hold now (a restored checkpoint's
     * may have been moved to its run's time limit), or empty when they hold none.
     */
    public static Optional<int[]> milestonesInForce(ComputationGraph graph) {
        int[][] found = {null};
        forEachPart(graph, bl -> {
            if (found[0] == null && scheduleOf(bl.getIUpdater()) instanceof WarmupStepSchedule w) {
                found[0] = w.milestones();
            }
        }, sv -> {
        });
        return Optional.ofNullable(found[0]);
    }

    /** The learning-rate schedule of the optimisers this recipe sets (Adam, Nesterov momentum), else null. */
    private static ISchedule scheduleOf(IUpdater updater) {
        if (updater instanceof Adam a) {
            return a.getLearningRateSchedule();
        }
        if (updater instanceof Nesterovs n) {
            return n.getLearningRateSchedule();
        }
        return null;
    }

    /**
     * Every trainable part's configuration: the layers of the graph's configuration and of the graph itself (DL4J
     * keeps both) and the SameDiff vertices (the heads).
     */
    private static void forEachPart(ComputationGraph graph, Consumer<BaseLayer> layers,
                                    Consumer<SameDiffVertex> vertices) {
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                layers.accept(bl);
            } else if (v instanceof SameDiffVertex sv) {
                vertices.accept(sv);
            }
        }
        for (Layer layer : graph.getLayers()) {
            if (layer.conf() != null && layer.conf().getLayer() instanceof BaseLayer bl) {
                layers.accept(bl);
            }
        }
    }

    private static int replace(IUpdater updater, WarmupStepSchedule schedule) {
        if (updater == null || !hasSchedule(updater)) {
            return 0;
        }
        updater.setLrAndSchedule(schedule.baseValue(), schedule.clone());
        return 1;
    }

    private static boolean hasSchedule(IUpdater updater) {
        return scheduleOf(updater) != null;
    }

    private static void configure(BaseLayer bl, IUpdater updater, List<Regularization> reg, GradientNormalization gn,
                                  double threshold) {
        if (bl.getIUpdater() == null || bl.getIUpdater().getClass().getSimpleName().equals("NoOp")) {
            return; // frozen parts stay frozen
        }
        bl.setIUpdater(updater.clone());
        bl.setBiasUpdater(updater.clone());
        bl.setRegularization(reg);
        bl.setRegularizationBias(List.of());
        bl.setGradientNormalization(gn);
        bl.setGradientNormalizationThreshold(threshold);
    }
}
