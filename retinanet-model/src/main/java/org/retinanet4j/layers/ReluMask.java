package org.retinanet4j.layers;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of a ReLU from its output: relu(x) > 0 exactly where x > 0, and as the output is never
 * negative, its sign is the 0/1 mask. Two vectorised passes (sign, multiply) are many times faster than libnd4j's
 * {@code thresholdedrelu_bp} (a per-element lambda) or {@code relu_bp} (docs/benchmarks.md).
 */
public final class ReluMask {
    private ReluMask() {
    }

    /** {@code gradient * (output > 0)}, in a new backward working array. */
    static INDArray apply(INDArray reluOutput, INDArray gradient, LayerWorkspaceMgr mgr) {
        INDArray masked = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, gradient.dataType(), gradient.shape(), 'c');
        return into(reluOutput, gradient, masked);
    }

    /** {@code gradient * (output > 0)} written into {@code result}. */
    static INDArray into(INDArray reluOutput, INDArray gradient, INDArray result) {
        Nd4j.exec(new Sign(reluOutput, result));
        return result.muli(gradient);
    }

    /**
     * {@code gradient *= (output > 0)} in place, using {@code reluOutput} as the mask's storage: for a caller that
     * no longer needs that output (it is overwritten with its 0/1 sign).
     */
    public static INDArray consumingOutput(INDArray reluOutput, INDArray gradient) {
        Nd4j.exec(new Sign(reluOutput, reluOutput));
        return gradient.muli(reluOutput);
    }
}
