package org.retinanet4j.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/** The runtime of {@link ResidualReluVertex}: {@code out = relu(a + b)}; both inputs get {@code dOut * (out > 0)}. */
public class ResidualReluGraphVertex extends ElementWiseVertex {
    /** Output of the last training forward pass: its positive entries pass the gradient. */
    private INDArray output;

    public ResidualReluGraphVertex(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, Op.Add, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("vertex " + vertexName + ": inputs not set");
        }
        INDArray a = inputs[0];
        INDArray b = inputs[1];
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("vertex " + vertexName + ": residual shapes differ, "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, a.shape(), 'c');
        Nd4j.exec(new AddOp(a.castTo(dataType), b.castTo(dataType), out));
        Transforms.relu(out, false);
        output = training ? out : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (output == null) {
            throw new IllegalStateException("vertex " + vertexName + ": backward without a training forward pass");
        }
        INDArray g = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape(), 'c');
        ReluMask.into(output, epsilon, g);
        output = null;
        // DL4J adds later errors into the array it was given in place: each input gets its own
        return new Pair<>(null, new INDArray[]{g, workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, g)});
    }

    @Override
    public String toString() {
        return "ResidualReluGraphVertex(" + vertexName + ")";
    }
}
