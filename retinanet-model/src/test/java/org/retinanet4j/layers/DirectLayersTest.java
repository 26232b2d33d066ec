package org.retinanet4j.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The direct layers compute what DL4J's own ConvolutionLayer and BatchNormalization compute: outputs, parameter
 * gradients (for BatchNorm also the running-statistics updates DL4J's updater applies) and input gradients, on
 * the same parameters and inputs, in training and inference mode.
 */
class DirectLayersTest {

    @ParameterizedTest(name = "conv k{0} s{1} p{2} bias {3} {4}")
    @CsvSource({"1,1,0,false,FLOAT", "1,2,0,false,FLOAT", "1,1,0,true,FLOAT", "1,2,0,true,DOUBLE",
            "3,1,1,false,FLOAT", "3,2,1,false,FLOAT", "3,2,1,true,DOUBLE", "7,2,3,false,FLOAT"})
    void convolutionMatchesDl4j(int k, int stride, int pad, boolean bias, DataType type) {
        ConvolutionLayer conf = new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(6).nOut(5).hasBias(bias)
                .activation(Activation.IDENTITY).build();
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(type, 2, 6, 13, 11);
        Pair<Layer, Layer> layers = pair(conf, DirectConvolution.of(conf), type);
        assertInstanceOf(DirectConvolutionLayer.class, layers.getSecond());
        compare(layers, x, type == DataType.DOUBLE ? 1e-10 : 2e-5);
    }

    @ParameterizedTest(name = "batch norm {0}")
    @CsvSource({"FLOAT", "DOUBLE"})
    void batchNormalizationMatchesDl4j(DataType type) {
        BatchNormalization conf = new BatchNormalization.Builder().nIn(5).nOut(5).eps(1e-5).decay(0.9).build();
        Nd4j.getRandom().setSeed(12);
        // offset and scaled channels, so centring and the running statistics are exercised
        INDArray x = Nd4j.randn(type, 2, 5, 9, 7).muli(3).addi(2);
        Pair<Layer, Layer> layers = pair(conf, DirectBatchNormalization.of(conf), type);
        assertInstanceOf(DirectBatchNormalizationLayer.class, layers.getSecond());
        Nd4j.getRandom().setSeed(13);
        for (Layer l : new Layer[]{layers.getFirst(), layers.getSecond()}) {
            // non-trivial gamma, beta and running statistics for the inference pass
            l.getParam("gamma").assign(Nd4j.linspace(DataType.DOUBLE, 0.5, 0.25, 5).reshape(l.getParam("gamma").shape()));
            l.getParam("beta").assign(Nd4j.linspace(DataType.DOUBLE, -1, 0.5, 5).reshape(l.getParam("beta").shape()));
            l.getParam("mean").assign(Nd4j.linspace(DataType.DOUBLE, 1, 0.5, 5).reshape(l.getParam("mean").shape()));
            l.getParam("log10stdev").assign(Nd4j.linspace(DataType.DOUBLE, -0.2, 0.15, 5).reshape(l.getParam("log10stdev").shape()));
        }
        compare(layers, x, type == DataType.DOUBLE ? 1e-9 : 5e-5);
    }

    private static Pair<Layer, Layer> pair(org.deeplearning4j.nn.conf.layers.Layer reference,
                                           org.deeplearning4j.nn.conf.layers.Layer direct, DataType type) {
        Layer a = instantiate(reference, type);
        Layer b = instantiate(direct, type);
        b.params().assign(Nd4j.randn(type, a.params().shape()));
        a.params().assign(b.params());
        return new Pair<>(a, b);
    }

    private static Layer instantiate(org.deeplearning4j.nn.conf.layers.Layer conf, DataType type) {
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        long n = conf.initializer().numParams(nnc);
        INDArray params = Nd4j.create(type, 1, n);
        Layer layer = conf.instantiate(nnc, Collections.emptyList(), 0, params, true, type);
        layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, n));
        return layer;
    }

    private static void compare(Pair<Layer, Layer> layers, INDArray x, double tol) {
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        Layer ref = layers.getFirst();
        Layer direct = layers.getSecond();
        for (boolean training : new boolean[]{false, true}) {
            ref.setInput(x.dup(), ws);
            direct.setInput(x.dup(), ws);
            INDArray yRef = ref.activate(training, ws).dup();
            INDArray y = direct.activate(training, ws).dup();
            assertClose("output (training " + training + ")", yRef, y, tol);
        }
        INDArray eps = Nd4j.randn(x.dataType(), ref.activate(true, ws).shape());
        ref.activate(true, ws);
        Pair<Gradient, INDArray> gRef = ref.backpropGradient(eps.dup(), ws);
        Map<String, INDArray> expected = copy(gRef.getFirst().gradientForVariable());
        INDArray epsRef = gRef.getSecond().dup();
        direct.activate(true, ws);
        Pair<Gradient, INDArray> g = direct.backpropGradient(eps.dup(), ws);
        assertEquals(expected.keySet(), g.getFirst().gradientForVariable().keySet(), "gradient entries");
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            assertClose("gradient " + e.getKey(), e.getValue(), g.getFirst().gradientForVariable().get(e.getKey()), tol);
        }
        assertClose("input gradient", epsRef, g.getSecond(), tol);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    private static void assertClose(String what, INDArray expected, INDArray actual, double tol) {
        assertEquals(expected.length(), actual.length(), what + ": length");
        INDArray a = expected.reshape(expected.length()).castTo(DataType.DOUBLE);
        INDArray b = actual.reshape(actual.length()).castTo(DataType.DOUBLE);
        double scale = Math.max(1e-3, a.amaxNumber().doubleValue());
        double err = a.sub(b).amaxNumber().doubleValue() / scale;
        assertTrue(err <= tol, what + ": max difference " + err + " of the largest value " + scale
                + " (tolerance " + tol + ")");
    }
}
