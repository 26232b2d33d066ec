package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** Both losses survive the ComputationGraph JSON and ModelSerializer with their settings and scores. */
class LossSerializationTest {
    private static final FocalLoss FOCAL = new FocalLoss(0.4, 1.5);
    private static final BoxRegressionLoss BOX = new BoxRegressionLoss(BoxRegressionLoss.Type.SMOOTH_L1, 0.2);

    @TempDir
    Path dir;

    @Test
    void configurationJsonRoundTripKeepsSettingsAndScore() {
        ComputationGraph net = LossTestGraphs.graph(FOCAL, BOX, DataType.FLOAT, new Adam(1e-3));
        String json = net.getConfiguration().toJson();
        assertTrue(json.contains(FocalLoss.class.getName()) && json.contains(BoxRegressionLoss.class.getName()),
                "loss classes named in the JSON");
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);
        assertLosses(restored);
        ComputationGraph copy = new ComputationGraph(restored);
        copy.init(net.params().dup(), false);
        MultiDataSet data = data();
        assertEquals(net.score(data), copy.score(data), 0.0);
    }

    @Test
    void modelSerializerRoundTripKeepsSettingsAndScore() throws IOException {
        ComputationGraph net = LossTestGraphs.graph(FOCAL, BOX, DataType.FLOAT, new Adam(1e-3));
        MultiDataSet data = data();
        net.fit(data); // updater state too
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertLosses(restored.getConfiguration());
        assertEquals(net.score(data), restored.score(data), 0.0);
    }

    @Test
    void jsonWithoutSettingsGetsTheDefaultsNotZero() throws IOException {
        org.nd4j.shade.jackson.databind.ObjectMapper mapper =
                org.deeplearning4j.nn.conf.NeuralNetConfiguration.mapper();
        assertEquals(new FocalLoss(), mapper.readValue("{\"@class\":\"" + FocalLoss.class.getName() + "\"}",
                ILossFunction.class));
        assertEquals(new BoxRegressionLoss(BoxRegressionLoss.Type.SMOOTH_L1, BoxRegressionLoss.DEFAULT_SMOOTH_L1_BETA),
                mapper.readValue("{\"@class\":\"" + BoxRegressionLoss.class.getName()
                        + "\",\"type\":\"SMOOTH_L1\"}", ILossFunction.class));
        assertEquals(FOCAL, mapper.readValue(mapper.writeValueAsString(FOCAL), ILossFunction.class));
    }

    private static MultiDataSet data() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(7);
        return new MultiDataSet(new INDArray[] {LossTestGraphs.input(3, DataType.FLOAT)}, new INDArray[] {
            LossTestGraphs.classLabels(DataType.FLOAT), LossTestGraphs.boxLabels(DataType.FLOAT)});
    }

    private static void assertLosses(ComputationGraphConfiguration conf) {
        FocalLoss focal = (FocalLoss) lossOf(conf, "cls");
        assertEquals(FOCAL, focal);
        assertEquals(0.4, focal.getAlpha());
        assertEquals(1.5, focal.getGamma());
        BoxRegressionLoss box = (BoxRegressionLoss) lossOf(conf, "box");
        assertEquals(BOX, box);
        assertEquals(BoxRegressionLoss.Type.SMOOTH_L1, box.getType());
        assertEquals(0.2, box.getBeta());
    }

    private static ILossFunction lossOf(ComputationGraphConfiguration conf, String layer) {
        return ((LossLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(layer))
                .getLayerConf().getLayer()).getLossFn();
    }
}
