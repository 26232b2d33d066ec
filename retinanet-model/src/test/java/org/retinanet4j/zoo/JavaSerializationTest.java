package org.retinanet4j.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * The network reaches Spark workers Java-serialised (DL4J broadcasts the configuration, parameters and updater
 * state and rebuilds a graph from {@code configuration.clone()}): the custom vertices (backbone, FPN, shared heads)
 * and losses must come through with their settings, giving the same outputs, loss and training step. (DL4J never
 * Java-serialises a {@code ComputationGraph} object itself: only this tuple.)
 */
class JavaSerializationTest {

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T object) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    private static MultiDataSet batch(ComputationGraph net, long seed) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 128, 128).subi(0.5).muli(2);
        int anchors = TinyNets.totalAnchors(128, 128, TinyNets.TWO_ANCHORS.anchorsPerLocation());
        INDArray[] labels = TinyNets.labels(seed, DataType.FLOAT, 2, anchors, 3);
        return new MultiDataSet(new INDArray[] {x}, labels);
    }

    @Test
    void aWorkersRebuiltNetworkComputesWhatTheDriversDoes() throws Exception {
        Nd4j.getRandom().setSeed(3);
        ComputationGraph driver = TinyNets.tiny().build().init();
        OptimizationRecipe.apply(driver, TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3)
                .warmup(0, 1).build());
        MultiDataSet first = batch(driver, 1);
        driver.fit(first);                                   // non-trivial updater state
        MultiDataSet data = batch(driver, 2);

        // as DL4J's Spark worker does it: the configuration, parameters and updater state, Java-serialised
        ComputationGraphConfiguration conf = roundTrip(driver.getConfiguration());
        assertNotSame(driver.getConfiguration(), conf);
        assertEquals(driver.getConfiguration().toJson(), conf.toJson(), "every vertex and loss setting survives");
        ComputationGraph worker = new ComputationGraph(conf.clone());
        worker.init(roundTrip(driver.params()).dup(), false);
        worker.getUpdater().setStateViewArray(roundTrip(driver.getUpdater().getStateViewArray()).dup());
        worker.getConfiguration().setIterationCount(driver.getConfiguration().getIterationCount());

        INDArray[] expected = driver.output(false, data.getFeatures(0));
        INDArray[] actual = worker.output(false, data.getFeatures(0));
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], "output " + i);
        }
        assertEquals(driver.score(data), worker.score(data), 0.0, "losses survive with their settings");

        // and the next training step (loss gradients, custom vertex backprop, updater) is the same
        driver.fit(data);
        worker.fit(data);
        assertEquals(driver.params(), worker.params());
    }
}
