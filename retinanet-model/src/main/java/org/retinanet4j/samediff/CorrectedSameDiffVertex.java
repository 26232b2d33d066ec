package org.retinanet4j.samediff;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;

/**
 * Base class for this project's SameDiff graph vertices: correct gradients on DL4J 1.0.0-M2.1
 * ({@link GradientCorrectedSameDiffGraphVertex}), mask pass-through, and a {@link #clone()} that keeps the
 * settings the network configuration applied (updater, bias updater, regularisation, gradient normalisation,
 * data type), which {@code ComputationGraph.clone()} and {@code ParallelWrapper} need.
 *
 * <p>Subclasses implement {@link #copyVertexSettings()} (a fresh instance with their own fields) plus the
 * usual {@code defineVertex}, {@code defineParametersAndInputs}, {@code initializeParameters},
 * {@code getOutputType}, {@code equals} and {@code hashCode}. They need a public no-argument constructor and
 * bean accessors for JSON.
 */
public abstract class CorrectedSameDiffVertex extends SameDiffVertex {

    /** A new instance of the concrete class carrying this vertex's own (subclass) fields. */
    protected abstract CorrectedSameDiffVertex copyVertexSettings();

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        // DL4J's updater maps gradient keys "<name>_<param>" back to this config through getLayerName():
        // without the name it finds nothing and throws a NullPointerException in preApply.
        setName(name);
        return new GradientCorrectedSameDiffGraphVertex(this, graph, name, idx, paramsView, initializeParams,
                networkDatatype);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public GraphVertex clone() {
        CorrectedSameDiffVertex copy = copyVertexSettings();
        copy.setUpdater(updater == null ? null : updater.clone());
        copy.setBiasUpdater(biasUpdater == null ? null : biasUpdater.clone());
        copy.setRegularization(regularization == null ? null : new ArrayList<>(regularization));
        copy.setRegularizationBias(regularizationBias == null ? null : new ArrayList<>(regularizationBias));
        copy.setGradientNormalization(gradientNormalization);
        copy.setGradientNormalizationThreshold(gradientNormalizationThreshold);
        copy.setDataType(dataType);
        copy.setName(getName());
        return copy;
    }
}
