package org.retinanet4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * A DL4J {@link BatchNormalization} configuration (same parameters {@code gamma, beta, mean, log10stdev}, same
 * running-statistics semantics) whose layer is {@link DirectBatchNormalizationLayer}.
 */
public class DirectBatchNormalization extends BatchNormalization {
    /** Whether a ReLU follows, computed in the same passes (DL4J's own layer applies no activation). */
    private boolean relu;

    /** For JSON. */
    public DirectBatchNormalization() {
    }

    /** The same layer as {@code built} (made by DL4J's builder), computed by {@link DirectBatchNormalizationLayer}. */
    public static DirectBatchNormalization of(BatchNormalization built) {
        return LayerSettings.copy(built, new DirectBatchNormalization());
    }

    /** {@code batchNorm} followed by a ReLU, in one layer. */
    public static DirectBatchNormalization withRelu(BatchNormalization built) {
        DirectBatchNormalization bn = of(built);
        bn.setRelu(true);
        return bn;
    }

    public boolean isRelu() {
        return relu;
    }

    public void setRelu(boolean relu) {
        this.relu = relu;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirectBatchNormalization d && d.relu == relu && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(relu);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        DirectBatchNormalizationLayer layer = new DirectBatchNormalizationLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }
}
