package org.retinanet4j.samediff;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * DL4J's SameDiff graph vertex with the M2.1 gradient doubling undone (see {@link SameDiffGradientScale}).
 * The runtime of {@link org.retinanet4j.head.SameDiffHeadVertex}, the SameDiff reference of the shared head.
 */
public class GradientCorrectedSameDiffGraphVertex extends SameDiffGraphVertex {

    public GradientCorrectedSameDiffGraphVertex(SameDiffVertex config, ComputationGraph graph, String name,
                                                int vertexIndex, INDArray paramsView, boolean initParams,
                                                DataType dataType) {
        super(config, graph, name, vertexIndex, paramsView, initParams, dataType);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        Pair<Gradient, INDArray[]> result = super.doBackward(tbptt, workspaceMgr);
        SameDiffGradientScale.Factors f = SameDiffGradientScale.factors();
        if (f.parameterScale() != 1.0) {
            // The map values are views of the network's gradient array: scale in place.
            for (Map.Entry<String, INDArray> e : result.getFirst().gradientForVariable().entrySet()) {
                e.getValue().muli(f.parameterScale());
            }
        }
        if (f.inputScale() != 1.0) {
            for (INDArray eps : result.getSecond()) {
                if (eps != null) {
                    eps.muli(f.inputScale());
                }
            }
        }
        return result;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        // Detection images carry no masks; pass the state through instead of the base class's exception.
        return new Pair<>(null, currentMaskState);
    }
}
