package org.retinanet4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.retinanet4j.runtime.OneDnnHelpers;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.gradient.Gradient;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default build runs DL4J's oneDNN conv/BN helpers, and they compute what the plain path computes. Helpers
 * are chosen when a layer is created, so two networks are built with the switch flipped in between.
 */
class OneDnnHelpersTest {

    @Test
    void helpersAreActiveAndMatchThePlainPath() {
        String saved = System.getProperty(OneDnnHelpers.DISABLE_PROPERTY);
        try {
            OneDnnHelpers.enable();
            assertTrue(OneDnnHelpers.active(), "oneDNN helpers should be active in the default build");
            ComputationGraph fast = TinyNets.tiny().build().init();
            ConvolutionLayer conv = (ConvolutionLayer) fast.getLayer("conv1");
            assertNotNull(conv.getHelper(), "conv1 has no oneDNN helper");
            assertTrue(conv.getHelper().getClass().getSimpleName().contains("MKLDNN"), conv.getHelper().toString());
            assertNotNull(((BatchNormalization) fast.getLayer("bn1")).getHelper(), "bn1 has no oneDNN helper");

            System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, "true");
            ComputationGraph plain = new ComputationGraph(fast.getConfiguration().clone());
            plain.init(fast.params().dup(), false);
            assertNull(((ConvolutionLayer) plain.getLayer("conv1")).getHelper(), "plain net should have no helper");

            INDArray image = TinyNets.image(4, DataType.FLOAT, 2, 256, 256);
            Map<String, INDArray> a = fast.feedForward(image, false);
            Map<String, INDArray> b = plain.feedForward(image, false);
            for (String name : List.of("layer4_1_relu2", "P3", "P7", RetinaNet.CLS_OUTPUT, RetinaNet.BOX_OUTPUT)) {
                INDArray x = a.get(name);
                INDArray y = b.get(name);
                double rms = Math.max(1e-6, y.norm2Number().doubleValue() / Math.sqrt(y.length()));
                double maxDiff = Transforms.abs(x.sub(y)).maxNumber().doubleValue();
                assertTrue(maxDiff / rms < 1e-4, name + ": max diff " + maxDiff + " vs rms " + rms);
            }
        } finally {
            if (saved == null) {
                System.clearProperty(OneDnnHelpers.DISABLE_PROPERTY);
            } else {
                System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, saved);
            }
        }
    }

    /**
     * Training mode (batch statistics in BatchNorm) and backprop: the helpers' parameter gradients equal the plain
     * path's. Inference equality alone would not catch a wrong BatchNorm or convolution backward pass.
     */
    @Test
    void helperGradientsMatchThePlainPathInTraining() {
        String saved = System.getProperty(OneDnnHelpers.DISABLE_PROPERTY);
        try {
            OneDnnHelpers.enable();
            ComputationGraph fast = TinyNets.tiny().build().init();
            System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, "true");
            ComputationGraph plain = new ComputationGraph(fast.getConfiguration().clone());
            plain.init(fast.params().dup(), false);

            int n = 2;
            INDArray image = TinyNets.image(5, DataType.FLOAT, n, 128, 128);
            INDArray[] labels = TinyNets.labels(6, DataType.FLOAT, n, TinyNets.totalAnchors(128, 128, 2), 3);
            Gradient a = gradient(fast, image, labels);
            Gradient b = gradient(plain, image, labels);
            for (Map.Entry<String, INDArray> e : b.gradientForVariable().entrySet()) {
                INDArray x = a.getGradientFor(e.getKey());
                INDArray y = e.getValue();
                double scale = Math.max(1e-8, Transforms.abs(y).maxNumber().doubleValue());
                double maxDiff = Transforms.abs(x.sub(y)).maxNumber().doubleValue();
                assertTrue(maxDiff / scale < 1e-2, e.getKey() + ": helper gradient differs, max diff " + maxDiff
                        + " vs max |g| " + scale);
            }
        } finally {
            if (saved == null) {
                System.clearProperty(OneDnnHelpers.DISABLE_PROPERTY);
            } else {
                System.setProperty(OneDnnHelpers.DISABLE_PROPERTY, saved);
            }
        }
    }

    private static Gradient gradient(ComputationGraph net, INDArray image, INDArray[] labels) {
        net.setInputs(image);
        net.setLabels(labels);
        net.computeGradientAndScore();
        return net.gradient();
    }
}
