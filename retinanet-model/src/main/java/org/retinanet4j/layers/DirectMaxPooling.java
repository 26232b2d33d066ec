package org.retinanet4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A DL4J {@link SubsamplingLayer} configuration (same JSON apart from the class name, no parameters) whose layer is
 * {@link DirectMaxPoolingLayer}: max pooling of large float NCHW planes in Java on all cores (DL4J's oneDNN helper
 * was slow on ResNet's stem pooling at 512x512 and fast on small planes: docs/benchmarks.md, "Model").
 */
public class DirectMaxPooling extends SubsamplingLayer {

    /** For JSON. */
    public DirectMaxPooling() {
    }

    /** The same layer as {@code built} (made by DL4J's builder), computed by {@link DirectMaxPoolingLayer}. */
    public static DirectMaxPooling of(SubsamplingLayer built) {
        return LayerSettings.copy(built, new DirectMaxPooling());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        DirectMaxPoolingLayer layer = new DirectMaxPoolingLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
