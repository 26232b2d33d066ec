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
}
