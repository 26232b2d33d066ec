package org.retinanet4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * A DL4J {@link ConvolutionLayer} configuration (same parameters {@code W [cOut, cIn, kH, kW]} and {@code b},
 * same JSON apart from the class name) whose layer is {@link DirectConvolutionLayer}: 1x1 convolutions as matrix
 * products, the others as libnd4j's {@code conv2d}/{@code conv2d_bp}, with no forward pass repeated in backward.
 */
public class DirectConvolution extends ConvolutionLayer {
    /** False when the layer reads the network input: its backward pass then computes weight gradients only. */
    private boolean inputGradient = true;

    /** For JSON. */
    public DirectConvolution() {
    }

    /** The same layer as {@code built} (made by DL4J's builder), computed by {@link DirectConvolutionLayer}. */
    public static DirectConvolution of(ConvolutionLayer built) {
        return LayerSettings.copy(built, new DirectConvolution());
    }

    /** {@link #of} for a layer fed by the network input: no input gradient is computed (it would be discarded). */
    public static DirectConvolution first(ConvolutionLayer built) {
        DirectConvolution conv = of(built);
        conv.setInputGradient(false);
        return conv;
    }

    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirectConvolution d && d.inputGradient == inputGradient && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(inputGradient);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        DirectConvolutionLayer layer = new DirectConvolutionLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        ParamInitializer init = initializer();
        Map<String, INDArray> params = init.init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }
}
