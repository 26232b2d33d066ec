package org.retinanet4j.updater;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FusedAdam} computes the very numbers ND4J's Adam computes (updates and both moments, bit for bit, over
 * iterations whose bias correction differs), on the views of one state array DL4J hands its updaters, and stays
 * itself through cloning and the JSON of a saved configuration.
 */
class FusedAdamTest {

    private static final int N = 200_003; // several chunks and a ragged end

    @Test
    void sameUpdatesAndMomentsAsNd4jAdamBitForBit() {
        Nd4j.getRandom().setSeed(11);
        MapSchedule lr = new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 1e-3).add(3, 2.5e-4).build();
        // the state arrays as DL4J lays them out: views at an offset of one larger array, gradient a view too
        INDArray oursState = Nd4j.zeros(DataType.FLOAT, 1, 2L * N + 17)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(17, 2L * N + 17));
        INDArray theirState = Nd4j.zeros(DataType.FLOAT, 1, 2L * N);
        GradientUpdater<?> ours = new FusedAdam(lr).instantiate(oursState, true);
        GradientUpdater<?> theirs = new Adam(lr).instantiate(theirState, true);
        assertInstanceOf(FusedAdamUpdater.class, ours);
        for (int iteration : new int[]{0, 1, 2, 3, 4, 40, 5000}) {
            INDArray gradient = Nd4j.randn(DataType.FLOAT, 1, N).muli(iteration % 2 == 0 ? 1e-3 : 3.0);
            INDArray holder = Nd4j.zeros(DataType.FLOAT, 1, N + 5);
            INDArray g1 = holder.get(NDArrayIndex.all(), NDArrayIndex.interval(5, N + 5)).assign(gradient);
            INDArray g2 = gradient.dup();
            ours.applyUpdater(g1, iteration, 0);
            theirs.applyUpdater(g2, iteration, 0);
            assertArrayEquals(g2.toFloatVector(), g1.toFloatVector(), 0f, "update at iteration " + iteration);
            assertArrayEquals(theirState.toFloatVector(), oursState.toFloatVector(), 0f,
                    "moments after iteration " + iteration);
        }
        assertTrue(oursState.amaxNumber().doubleValue() > 0, "the moments moved");
    }

    @Test
    void otherArraysTakeNd4jsPath() {
        Nd4j.getRandom().setSeed(5);
        INDArray oursState = Nd4j.zeros(DataType.DOUBLE, 1, 2L * 1000);
        INDArray theirState = Nd4j.zeros(DataType.DOUBLE, 1, 2L * 1000);
        GradientUpdater<?> ours = new FusedAdam(1e-2, 0.9, 0.999, 1e-8).instantiate(oursState, true);
        GradientUpdater<?> theirs = new Adam(1e-2, 0.9, 0.999, 1e-8).instantiate(theirState, true);
        INDArray g = Nd4j.randn(DataType.DOUBLE, 1, 1000);
        INDArray g1 = g.dup();
        INDArray g2 = g.dup();
        ours.applyUpdater(g1, 0, 0);
        theirs.applyUpdater(g2, 0, 0);
        assertArrayEquals(g2.toDoubleVector(), g1.toDoubleVector(), 0.0);
        assertArrayEquals(theirState.toDoubleVector(), oursState.toDoubleVector(), 0.0);
    }

    @Test
    void survivesCloneAndConfigurationJson() {
        FusedAdam adam = new FusedAdam(new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.01).build());
        FusedAdam copy = adam.clone();
        assertInstanceOf(FusedAdam.class, copy);
        assertEquals(adam, copy);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().updater(adam).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(3).nOut(4).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).build(), "dense")
                .setOutputs("out").build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        for (String name : List.of("dense", "out")) {
            BaseLayer layer = (BaseLayer) ((LayerVertex) back.getVertices().get(name)).getLayerConf().getLayer();
            assertInstanceOf(FusedAdam.class, layer.getIUpdater(), name);
            assertEquals(adam, layer.getIUpdater(), name);
        }
    }
}
