package org.retinanet4j.loss;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.SameDiffLoss;

/**
 * A {@link SameDiffLoss} that builds its SameDiff graph outside DL4J's workspaces and checks its inputs before
 * every score or gradient computation.
 *
 * <p>Why: {@code SameDiffLoss} builds its graph lazily on the first call, which DL4J makes inside a layer
 * workspace; the graph's arrays then live in that workspace and the result is NaN scores or "leaked workspace
 * pointer" errors (see the project's DL4J field notes). The graph is also rebuilt when the data type of the
 * network output changes (a float graph cannot take double placeholders).
 */
public abstract class WorkspaceSafeSameDiffLoss extends SameDiffLoss {

    private transient DataType graphDataType;

    protected WorkspaceSafeSameDiffLoss() {
        super();
    }

    /**
     * Throws {@link IllegalArgumentException} naming the problem when the labels cannot be used with this
     * output. Called on the training hot path: keep it to one pass over the labels.
     */
    protected abstract void checkInput(INDArray labels, INDArray preOutput);

    @Override
    protected void createSameDiffInstance(DataType dataType) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            super.createSameDiffInstance(dataType);
            graphDataType = dataType;
        }
    }

    /** Drops a graph built for another data type, so the base class builds a fresh one. */
    private void prepare(INDArray labels, INDArray preOutput) {
        checkInput(labels, preOutput);
        if (sd != null && graphDataType != preOutput.dataType()) {
            sd = null;
            scorePerExampleVariable = null;
        }
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        prepare(labels, preOutput);
        return super.computeScoreArray(castLike(labels, preOutput), preOutput, activationFn, mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        prepare(labels, preOutput);
        return super.computeGradient(castLike(labels, preOutput), preOutput, activationFn, mask);
    }

    /** The graph's label placeholder has the output's data type; DL4J may hand float labels to a double net. */
    private static INDArray castLike(INDArray labels, INDArray preOutput) {
        return labels.dataType() == preOutput.dataType() ? labels : labels.castTo(preOutput.dataType());
    }
}
