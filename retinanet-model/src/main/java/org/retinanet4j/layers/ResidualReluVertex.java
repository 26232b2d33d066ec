package org.retinanet4j.layers;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual block's end, {@code relu(main + shortcut)}, as one vertex: DL4J's element-wise addition followed by
 * a ReLU, computed by {@link ResidualReluGraphVertex} in one output array and two passes each way instead of two
 * vertices with their own arrays (and libnd4j's slow per-element ReLU derivative).
 */
public class ResidualReluVertex extends ElementWiseVertex {

    public ResidualReluVertex() {
        super(Op.Add);
    }

    @Override
    public ResidualReluVertex clone() {
        return new ResidualReluVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResidualReluVertex;
    }

    @Override
    public int hashCode() {
        return ResidualReluVertex.class.hashCode();
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        return new ResidualReluGraphVertex(graph, name, idx, networkDatatype);
    }

    @Override
    public String toString() {
        return "ResidualReluVertex()";
    }
}
