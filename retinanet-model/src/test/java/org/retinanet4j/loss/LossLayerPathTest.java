package org.retinanet4j.loss;

import static org.retinanet4j.loss.LossFixture.ABS;
import static org.retinanet4j.loss.LossFixture.REL;
import static org.retinanet4j.loss.LossFixture.assertClose;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The losses inside a real DL4J LossLayer, checked against torchvision: how DL4J's minibatch averaging enters.
 *
 * <p>The logits are the weights of a bias-free identity DenseLayer fed an identity matrix, so the weight
 * gradient is the gradient with respect to the logits. Findings this test pins down: the network score is the
 * mean over images (torchvision's value); the gradient DL4J stores before the updater is d(sum of per-image
 * losses)/d(logits); the SGD step divides it by the minibatch size, so training follows
 * d(mean loss)/d(logits), torchvision's gradient.
 */
class LossLayerPathTest {

    @Test
    void focalLossScoreGradientAndStepMatchTorchvision() {
        LossFixture f = LossFixture.load("focal_random");
        checkLossLayerPath(new FocalLoss(f.number("alpha"), f.number("gamma")), f, "logits");
    }

    @Test
    void boxLossScoreGradientAndStepMatchTorch() {
        LossFixture f = LossFixture.load("box_smooth_l1_ninth");
        checkLossLayerPath(new BoxRegressionLoss(BoxRegressionLoss.Type.SMOOTH_L1, f.number("beta")), f,
                "predictions");
    }

    private static void checkLossLayerPath(ILossFunction loss, LossFixture f, String inputField) {
        INDArray outputs = f.matrix(inputField, DataType.DOUBLE);
        INDArray labels = f.matrix("labels", DataType.DOUBLE);
        int n = (int) outputs.size(0);
        int width = (int) outputs.size(1);
        double learningRate = 0.5;
        ComputationGraph net = identityNet(loss, n, width, learningRate);
        net.getLayer("out").setParam("W", outputs.dup());
        MultiDataSet data = new MultiDataSet(Nd4j.eye(n).castTo(DataType.DOUBLE), labels);

        net.setInputs(data.getFeatures());
        net.setLabels(data.getLabels());
        net.computeGradientAndScore();
        assertClose(f.name() + " network score", f.number("mean_loss"), net.score(), REL, ABS);
        INDArray storedGradient = net.gradient().getGradientFor("out_W");
        assertClose(f.name() + " stored gradient", f.matrix("grad_sum", DataType.DOUBLE), storedGradient, REL, ABS);

        net.fit(data);
        INDArray step = outputs.sub(net.getLayer("out").getParam("W")).divi(learningRate);
        assertClose(f.name() + " SGD step / lr", f.matrix("grad_mean", DataType.DOUBLE), step, 1e-6, 1e-9);
    }

    private static ComputationGraph identityNet(ILossFunction loss, int n, int width, double learningRate) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .updater(new Sgd(learningRate))
                .graphBuilder()
                .addInputs("in")
                .addLayer("out", new DenseLayer.Builder().nIn(n).nOut(width).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("loss", new LossLayer.Builder(loss).activation(Activation.IDENTITY).build(), "out")
                .setOutputs("loss")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }
}
