package org.retinanet4j.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.function.LongFunction;

/** One layer on its own, as DL4J's layer tests build it: float parameters and a gradient view of its own. */
final class BenchLayers {
    private BenchLayers() {
    }

    /** The layer of {@code conf} with the parameter vector {@code params.apply(numParams)}. */
    static Layer trainable(org.deeplearning4j.nn.conf.layers.Layer conf, LongFunction<INDArray> params) {
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).layer(conf).build();
        long n = conf.initializer().numParams(nnc);
        Layer layer = conf.instantiate(nnc, Collections.emptyList(), 0, params.apply(n), true, DataType.FLOAT);
        layer.setBackpropGradientsViewArray(Nd4j.create(DataType.FLOAT, 1, n));
        return layer;
    }
}
