package org.retinanet4j.train;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.targets.RandomPixelBatches;
import org.retinanet4j.zoo.RetinaNet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The optimiser has one home, the training recipe: a graph from the zoo carries the default recipe's updater,
 * and {@code Trainer.fit} puts its own config's optimiser and schedule on every trainable layer and on both
 * heads.
 */
class OptimiserHomeTest {

    @Test
    void theZooGraphCarriesTheDefaultRecipeAndTheTrainerPutsItsOwnOn() {
        RetinaNet zoo = RetinaNet.smallBuilder(3).inputShape(3, 128, 128).seed(4).build();
        ComputationGraph net = zoo.init();
        IUpdater expectedDefault = OptimizationRecipe.defaultUpdater();
        for (IUpdater u : updaters(net).values()) {
            assertInstanceOf(Nesterovs.class, u);
            assertEquals(expectedDefault, u, "the default recipe's SGD and schedule");
        }

        TrainerConfig adam = TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(3e-4).warmup(0, 1)
                .maxIterations(1).build();
        new Trainer(adam, ModelMetadata.of(zoo.spec(), List.of("a", "b", "c"), new int[]{1, 2, 3}))
                .fit(net, epoch -> new TinyGraphs.ListIterator(RandomPixelBatches.of(1, 1, 128, 3, 2)));
        Map<String, IUpdater> after = updaters(net);
        assertFalse(after.isEmpty());
        for (Map.Entry<String, IUpdater> e : after.entrySet()) {
            assertInstanceOf(Adam.class, e.getValue(), e.getKey());
            assertEquals(OptimizationRecipe.updater(adam), e.getValue(), e.getKey() + ": the trainer's Adam");
        }
        assertEquals(List.of(RetinaNet.CLS_HEAD, RetinaNet.BOX_HEAD), new ArrayList<>(after.keySet()).stream()
                .filter(k -> k.endsWith("_head")).toList(), "both heads carry it");
    }

    /** The updater of every trainable layer and SameDiff vertex of the graph's configuration, by vertex name. */
    private static Map<String, IUpdater> updaters(ComputationGraph net) {
        Map<String, IUpdater> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : net.getConfiguration().getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                out.put(e.getKey(), bl.getIUpdater());
            } else if (e.getValue() instanceof SameDiffVertex sv) {
                out.put(e.getKey(), sv.getUpdater());
            }
        }
        return out;
    }
}
