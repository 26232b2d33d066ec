package org.retinanet4j.layers;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/** Array helpers the direct layers share. */
final class WorkspaceArrays {
    private WorkspaceArrays() {
    }

    /** {@code a} itself when it is C-ordered with default strides, else a C-ordered copy in the given workspace. */
    static INDArray contiguous(INDArray a, ArrayType type, LayerWorkspaceMgr mgr) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) ? a : mgr.dup(type, a, 'c');
    }
}
