package org.retinanet4j.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.retinanet4j.onednn.OneDnn;

import java.util.Collections;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The direct layers compute what DL4J's own ConvolutionLayer and BatchNormalization compute: outputs, parameter
 * gradients (for BatchNorm also the running-statistics updates DL4J's updater applies) and input gradients, on
 * the same parameters and inputs, in training and inference mode.
 */
class DirectLayersTest {

    @ParameterizedTest(name = "conv k{0} s{1} p{2} bias {3} {4}, {5} channels on {6}x{6}")
    @CsvSource({"1,1,0,false,FLOAT,6,13", "1,2,0,false,FLOAT,6,13", "1,1,0,true,FLOAT,6,13", "1,2,0,true,DOUBLE,6,13",
            "3,1,1,false,FLOAT,6,13", "3,2,1,false,FLOAT,6,13", "3,2,1,true,DOUBLE,6,13", "7,2,3,false,FLOAT,6,13",
            // many channels on few pixels: the backward pass runs as im2col + matrix products, the images side by side
            "3,1,1,false,FLOAT,64,3", "3,2,1,true,DOUBLE,64,5", "3,1,1,true,FLOAT,64,3", "3,1,1,true,DOUBLE,64,4",
            // even sizes with stride 2: less padding after than before in oneDNN's terms
            "3,2,1,true,FLOAT,6,12", "7,2,3,true,FLOAT,16,16"})
    void convolutionMatchesDl4j(int k, int stride, int pad, boolean bias, DataType type, int channels, int size) {
        ConvolutionLayer conf = convolution(k, stride, pad, bias, channels, Activation.IDENTITY);
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(type, 2, channels, size, size - 2 * (size / 7));
        Pair<Layer, Layer> layers = pair(conf, DirectConvolution.of(conf), type);
        assertInstanceOf(DirectConvolutionLayer.class, layers.getSecond());
        compare(layers, x, type == DataType.DOUBLE ? 1e-10 : 2e-5, true);
        assertOneDnnWhereExpected(layers.getSecond(), k, type);
    }

    @Test
    void oneDnnSwitchedOffRunsLibnd4jsOpsWithTheSameResults() {
        ConvolutionLayer conf = convolution(3, 1, 1, true, 6, Activation.RELU);
        Nd4j.getRandom().setSeed(16);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 6, 9, 8);
        Pair<Layer, Layer> layers = pair(conf, DirectConvolution.of(conf), DataType.FLOAT);
        String before = System.getProperty(OneDnn.PROPERTY);
        System.setProperty(OneDnn.PROPERTY, "false");
        try {
            compare(layers, x, 2e-5, true);
            assertFalse(((DirectConvolutionLayer) layers.getSecond()).ranOneDnn(), "-Dretinanet.onednn=false is obeyed");
        } finally {
            if (before == null) {
                System.clearProperty(OneDnn.PROPERTY);
            } else {
                System.setProperty(OneDnn.PROPERTY, before);
            }
        }
    }

    /** Float convolutions with kernels above 1x1 run oneDNN's primitives (unless switched off); the rest do not. */
    private static void assertOneDnnWhereExpected(Layer layer, int k, DataType type) {
        boolean expected = k > 1 && type == DataType.FLOAT && OneDnn.enabled();
        assertEquals(expected, ((DirectConvolutionLayer) layer).ranOneDnn(), "ran oneDNN's primitives");
    }

    @ParameterizedTest(name = "first conv k{0} s{1} {2} on {3} rows")
    @CsvSource({"7,2,FLOAT,17", "3,1,DOUBLE,17", "3,2,DOUBLE,9", "7,2,FLOAT,9", "3,2,FLOAT,16"}) // 9 rows: the images side by side
    void firstConvolutionComputesWeightGradientsOnly(int k, int stride, DataType type, int rows) {
        ConvolutionLayer conf = convolution(k, stride, k / 2, false, 3, Activation.IDENTITY);
        Nd4j.getRandom().setSeed(14);
        INDArray x = Nd4j.randn(type, 2, 3, rows, 15);
        Pair<Layer, Layer> layers = pair(conf, DirectConvolution.first(conf), type);
        compare(layers, x, type == DataType.DOUBLE ? 1e-10 : 2e-5, false);
        assertOneDnnWhereExpected(layers.getSecond(), k, type);
    }

    @ParameterizedTest(name = "conv + fused ReLU k{0} {1}")
    @CsvSource({"1,FLOAT", "3,DOUBLE", "3,FLOAT"})
    void convolutionWithReluMatchesDl4j(int k, DataType type) {
        ConvolutionLayer conf = convolution(k, 1, k / 2, true, 6, Activation.RELU);
        Nd4j.getRandom().setSeed(15);
        INDArray x = Nd4j.randn(type, 2, 6, 9, 8);
        Pair<Layer, Layer> layers = pair(conf, DirectConvolution.of(conf), type);
        compare(layers, x, type == DataType.DOUBLE ? 1e-10 : 2e-5, true);
        assertOneDnnWhereExpected(layers.getSecond(), k, type);
    }

    private static ConvolutionLayer convolution(int k, int stride, int pad, boolean bias, int channels,
                                                Activation activation) {
        return new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(channels).nOut(channels == 3 ? 5 : channels - 1)
                .hasBias(bias).activation(activation).build();
    }

    @ParameterizedTest(name = "batch norm {0}, fused ReLU {1}, {2}x{3}")
    // 50x83: planes of more than two of the kernels' copy blocks, the last one partial
    @CsvSource({"FLOAT,false,9,7", "DOUBLE,false,9,7", "FLOAT,true,9,7", "DOUBLE,true,9,7", "FLOAT,false,50,83",
            "FLOAT,true,50,83"})
    void batchNormalizationMatchesDl4j(DataType type, boolean relu, int h, int w) {
        BatchNormalization conf = new BatchNormalization.Builder().nIn(5).nOut(5).eps(1e-5).decay(0.9).build();
        Nd4j.getRandom().setSeed(12);
        // offset and scaled channels, so centring and the running statistics are exercised
        INDArray x = Nd4j.randn(type, 2, 5, h, w).muli(3).addi(2);
        Pair<Layer, Layer> layers = pair(conf, relu ? DirectBatchNormalization.withRelu(conf)
                : DirectBatchNormalization.of(conf), type);
        assertInstanceOf(DirectBatchNormalizationLayer.class, layers.getSecond());
        for (Layer l : new Layer[]{layers.getFirst(), layers.getSecond()}) {
            // non-trivial gamma, beta and running statistics for the inference pass
            l.getParam("gamma").assign(Nd4j.linspace(DataType.DOUBLE, 0.5, 0.25, 5).reshape(l.getParam("gamma").shape()));
            l.getParam("beta").assign(Nd4j.linspace(DataType.DOUBLE, -1, 0.5, 5).reshape(l.getParam("beta").shape()));
            l.getParam("mean").assign(Nd4j.linspace(DataType.DOUBLE, 1, 0.5, 5).reshape(l.getParam("mean").shape()));
            l.getParam("log10stdev").assign(Nd4j.linspace(DataType.DOUBLE, -0.2, 0.15, 5)
                    .reshape(l.getParam("log10stdev").shape()));
        }
        Pass reference = relu ? reluAfter(layers.getFirst()) : of(layers.getFirst());
        compare(reference, of(layers.getSecond()), x, type == DataType.DOUBLE ? 1e-9 : 5e-5, true);
    }

    @ParameterizedTest(name = "batch norm with fused ReLU on {0}x{1}: the mask from the input, not the output")
    // 9x7: the element-wise loops; 50x83: the copied blocks
    @CsvSource({"9,7", "50,83"})
    void batchNormalizationKernelsRecomputeTheReluMaskFromTheInput(int h, int w) {
        BatchNormalization conf = new BatchNormalization.Builder().nIn(5).nOut(5).eps(1e-5).decay(0.9).build();
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 5, h, w).muli(3).addi(1);
        Layer layer = instantiate(DirectBatchNormalization.withRelu(conf), DataType.FLOAT);
        layer.params().assign(Nd4j.randn(DataType.FLOAT, layer.params().shape()));
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        INDArray eps = Nd4j.randn(DataType.FLOAT, 2, 5, h, w);
        layer.setInput(x.dup(), ws);
        INDArray clean = layer.activate(true, ws);
        assertTrue(clean.eq(0).castTo(DataType.INT).sumNumber().intValue() > 0
                        && clean.gt(0).castTo(DataType.INT).sumNumber().intValue() > 0,
                "the test needs both masked and passed entries");
        Pair<Gradient, INDArray> expected = layer.backpropGradient(eps.dup(), ws);
        INDArray expectedDx = expected.getSecond().dup();
        INDArray expectedDGamma = expected.getFirst().getGradientFor("gamma").dup();

        layer.setInput(x.dup(), ws);
        layer.activate(true, ws).assign(-1); // a later operation overwriting the output in place
        Pair<Gradient, INDArray> actual = layer.backpropGradient(eps.dup(), ws);
        assertEquals(expectedDx, actual.getSecond(), "input gradient after the output was overwritten");
        assertEquals(expectedDGamma, actual.getFirst().getGradientFor("gamma"), "dGamma after the output was overwritten");

        // a gradient of another type still takes the kernels' path the forward pass took (cast to the layer's type)
        layer.setInput(x.dup(), ws);
        layer.activate(true, ws);
        Pair<Gradient, INDArray> fromDouble = layer.backpropGradient(eps.castTo(DataType.DOUBLE), ws);
        assertEquals(expectedDx, fromDouble.getSecond(), "input gradient from a double gradient");
    }

    @ParameterizedTest(name = "max pooling k{0} s{1} p{2} on {3}x{4}, {5}")
    @CsvSource({"3,2,1,131,129,relu", "3,2,1,128,128,relu", "2,2,0,129,130,randn", "3,1,1,128,133,relu",
            "3,2,1,130,128,randn"}) // planes of at least DirectMaxPoolingLayer.MIN_PLANE_PIXELS
    void maxPoolingMatchesDl4j(int k, int stride, int pad, int h, int w, String input) {
        SubsamplingLayer conf = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(k, k)
                .stride(stride, stride).padding(pad, pad).convolutionMode(ConvolutionMode.Truncate).build();
        Layer reference = instantiateWithoutParameters(conf);
        Layer direct = instantiateWithoutParameters(DirectMaxPooling.of(conf));
        assertInstanceOf(DirectMaxPoolingLayer.class, direct);
        assertTrue((long) h * w >= DirectMaxPoolingLayer.MIN_PLANE_PIXELS, "the direct path runs");
        Nd4j.getRandom().setSeed(17);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, h, w);
        if (input.equals("relu")) {
            Transforms.relu(x, false); // many equal zeros in a window: the first one must win, as in DL4J's layer
        }
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        for (boolean training : new boolean[]{false, true}) {
            reference.setInput(x.dup(), ws);
            direct.setInput(x.dup(), ws);
            INDArray expected = reference.activate(training, ws);
            INDArray actual = direct.activate(training, ws);
            assertEquals(expected, actual, "output, training " + training);
        }
        INDArray eps = Nd4j.randn(DataType.FLOAT, reference.activate(true, ws).shape());
        direct.activate(true, ws);
        INDArray expectedGrad = reference.backpropGradient(eps.dup(), ws).getSecond();
        INDArray actualGrad = direct.backpropGradient(eps.dup(), ws).getSecond();
        // equal within ND4J's comparison tolerance: where overlapping windows share a maximum their gradients add up
        // in another order than DL4J's (differences of a few ulps); a gradient routed elsewhere differs by O(1)
        assertEquals(expectedGrad, actualGrad, "input gradient");
    }

    private static Pair<Layer, Layer> pair(org.deeplearning4j.nn.conf.layers.Layer reference,
                                           org.deeplearning4j.nn.conf.layers.Layer direct, DataType type) {
        Layer a = instantiate(reference, type);
        Layer b = instantiate(direct, type);
        b.params().assign(Nd4j.randn(type, a.params().shape()));
        a.params().assign(b.params());
        return new Pair<>(a, b);
    }

    private static Layer instantiateWithoutParameters(org.deeplearning4j.nn.conf.layers.Layer conf) {
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).layer(conf).build();
        return conf.instantiate(nnc, Collections.emptyList(), 0, null, true, DataType.FLOAT);
    }

    private static Layer instantiate(org.deeplearning4j.nn.conf.layers.Layer conf, DataType type) {
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        long n = conf.initializer().numParams(nnc);
        INDArray params = Nd4j.create(type, 1, n);
        Layer layer = conf.instantiate(nnc, Collections.emptyList(), 0, params, true, type);
        layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, n));
        return layer;
    }

    /** A layer's forward and backward pass, or a composition of DL4J layers standing for one direct layer. */
    private interface Pass {
        INDArray forward(INDArray x, boolean training);

        Pair<Gradient, INDArray> backward(INDArray epsilon);
    }

    private static Pass of(Layer layer) {
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        return new Pass() {
            public INDArray forward(INDArray x, boolean training) {
                layer.setInput(x, ws);
                return layer.activate(training, ws);
            }

            public Pair<Gradient, INDArray> backward(INDArray epsilon) {
                return layer.backpropGradient(epsilon, ws);
            }
        };
    }

    /** DL4J's layer followed by DL4J's ReLU activation (what the graph builds without the direct layers). */
    private static Pass reluAfter(Layer layer) {
        Pass inner = of(layer);
        INDArray[] pre = new INDArray[1];
        return new Pass() {
            public INDArray forward(INDArray x, boolean training) {
                pre[0] = inner.forward(x, training).dup();
                return new ActivationReLU().getActivation(pre[0].dup(), training);
            }

            public Pair<Gradient, INDArray> backward(INDArray epsilon) {
                return inner.backward(new ActivationReLU().backprop(pre[0].dup(), epsilon).getFirst());
            }
        };
    }

    private static void compare(Pair<Layer, Layer> layers, INDArray x, double tol, boolean inputGradient) {
        compare(of(layers.getFirst()), of(layers.getSecond()), x, tol, inputGradient);
    }

    private static void compare(Pass ref, Pass direct, INDArray x, double tol, boolean inputGradient) {
        for (boolean training : new boolean[]{false, true}) {
            INDArray yRef = ref.forward(x.dup(), training).dup();
            INDArray y = direct.forward(x.dup(), training).dup();
            assertClose("output (training " + training + ")", yRef, y, tol);
        }
        INDArray eps = Nd4j.randn(x.dataType(), ref.forward(x.dup(), true).shape());
        Pair<Gradient, INDArray> gRef = ref.backward(eps.dup());
        Map<String, INDArray> expected = copy(gRef.getFirst().gradientForVariable());
        INDArray epsRef = gRef.getSecond().dup();
        direct.forward(x.dup(), true);
        Pair<Gradient, INDArray> g = direct.backward(eps.dup());
        assertEquals(expected.keySet(), g.getFirst().gradientForVariable().keySet(), "gradient entries");
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            assertClose("gradient " + e.getKey(), e.getValue(), g.getFirst().gradientForVariable().get(e.getKey()), tol);
        }
        if (inputGradient) {
            assertClose("input gradient", epsRef, g.getSecond(), tol);
        } else {
            assertNull(g.getSecond(), "no input gradient for a layer fed by the network input");
        }
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
