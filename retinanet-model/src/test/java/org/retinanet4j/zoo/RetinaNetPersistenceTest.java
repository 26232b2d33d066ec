package org.retinanet4j.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Save/restore, clone and the configuration's JSON round trip all reproduce the network exactly. */
class RetinaNetPersistenceTest {
    private static ComputationGraph net;
    private static INDArray image;
    private static INDArray[] expected;

    @BeforeAll
    static void trainedTinyNet() {
        net = TinyNets.tiny().build().init();
        image = TinyNets.image(9, DataType.FLOAT, 2, 128, 128);
        int anchors = TinyNets.totalAnchors(128, 128, 2);
        // One step so that updater state and BN statistics are non-trivial.
        net.fit(new MultiDataSet(new INDArray[]{image}, TinyNets.labels(3, DataType.FLOAT, 2, anchors, 3)));
        expected = net.output(image);
    }

    @Test
    void modelSerializerRoundTripGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
        File f = dir.resolve("tiny.zip").toFile();
        ModelSerializer.writeModel(net, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
        assertIdentical(restored);
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
    }

    @Test
    void cloneGivesIdenticalOutputs() {
        assertIdentical(net.clone());
    }

    @Test
    void configurationJsonRoundTripRebuildsTheSameNetwork() {
        String json = net.getConfiguration().toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(net.getConfiguration(), back);
        ComputationGraph rebuilt = new ComputationGraph(back);
        rebuilt.init(net.params().dup(), false);
        assertIdentical(rebuilt);
    }

    private static void assertIdentical(ComputationGraph other) {
        INDArray[] out = other.output(image);
        assertEquals(expected[0], out[0], "cls");
        assertEquals(expected[1], out[1], "box");
    }
}
