package org.retinanet4j.loss;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/** Tiny RetinaNet-shaped graphs and labels for the loss tests: one input, two LossLayer outputs (cls, box). */
final class LossTestGraphs {
    static final int FEATURES = 5;
    static final int ANCHORS = 4;
    static final int CLASSES = 3;
    static final int HIDDEN = 4;

    private LossTestGraphs() {
    }

    /** input -> tanh dense -> {dense A*K -> LossLayer(FocalLoss), dense A*4 -> LossLayer(BoxRegressionLoss)}. */
    static ComputationGraph graph(FocalLoss focal, BoxRegressionLoss box, DataType type, IUpdater updater) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(type)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("clsLogits", new DenseLayer.Builder().nIn(HIDDEN).nOut(ANCHORS * CLASSES)
                        .activation(Activation.IDENTITY).build(), "hidden")
                .addLayer("boxDeltas", new DenseLayer.Builder().nIn(HIDDEN).nOut(ANCHORS * 4)
                        .activation(Activation.IDENTITY).build(), "hidden")
                .addLayer("cls", new LossLayer.Builder(focal).activation(Activation.IDENTITY).build(), "clsLogits")
                .addLayer("box", new LossLayer.Builder(box).activation(Activation.IDENTITY).build(), "boxDeltas")
                .setOutputs("cls", "box")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    static INDArray input(int n, DataType type) {
        return Nd4j.rand(type, n, FEATURES).subi(0.5).muli(2);
    }

    /**
     * Class labels for 3 images: image 0 has one positive anchor (class 1), one ignored, the rest negative;
     * image 1 has two positives and one ignored; image 2 has no positive anchor.
     */
    static INDArray classLabels(DataType type) {
        float[][] rows = new float[3][ANCHORS * CLASSES];
        rows[0][0 * CLASSES + 1] = 1;
        fill(rows[0], 2, FocalLoss.IGNORE);
        rows[1][1 * CLASSES + 0] = 1;
        rows[1][3 * CLASSES + 2] = 1;
        fill(rows[1], 0, FocalLoss.IGNORE);
        return Nd4j.createFromArray(rows).castTo(type);
    }

    /** Box labels matching {@link #classLabels}: targets for positives, NOT_POSITIVE elsewhere. */
    static INDArray boxLabels(DataType type) {
        float[][] rows = new float[3][ANCHORS * 4];
        for (float[] row : rows) {
            java.util.Arrays.fill(row, BoxRegressionLoss.NOT_POSITIVE);
        }
        setBox(rows[0], 0, 0.3f, -0.2f, 0.05f, 0.4f);
        setBox(rows[1], 1, -0.5f, 0.25f, -0.3f, 0.02f);
        setBox(rows[1], 3, 0.1f, 0.7f, 0.2f, -0.6f);
        return Nd4j.createFromArray(rows).castTo(type);
    }

    private static void fill(float[] row, int anchor, float value) {
        java.util.Arrays.fill(row, anchor * CLASSES, (anchor + 1) * CLASSES, value);
    }

    private static void setBox(float[] row, int anchor, float... deltas) {
        System.arraycopy(deltas, 0, row, anchor * 4, 4);
    }
}
