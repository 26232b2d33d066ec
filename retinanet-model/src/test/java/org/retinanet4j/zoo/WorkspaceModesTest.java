package org.retinanet4j.zoo;

import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The graph (with the direct head vertex, which manages its own temporaries) gives the same outputs and
 * gradients with DL4J's workspaces on and off, twice in a row (the second pass reuses the workspaces).
 */
class WorkspaceModesTest {
    @Test
    void workspacesOnAndOffAgree() {
        ComputationGraph on = TinyNets.tiny().workspaceMode(WorkspaceMode.ENABLED).build().init();
        ComputationGraph off = TinyNets.tiny().workspaceMode(WorkspaceMode.NONE).build().init();
        off.setParams(on.params().dup());
        INDArray image = TinyNets.image(3, DataType.FLOAT, 2, 64, 64);
        INDArray[] labels = TinyNets.labels(4, DataType.FLOAT, 2, TinyNets.totalAnchors(64, 64, 2), 3);
        for (int pass = 0; pass < 2; pass++) {
            INDArray[] outOn = on.output(image);
            INDArray[] outOff = off.output(image);
            assertClose(outOn[0], outOff[0], "class logits, pass " + pass);
            assertClose(outOn[1], outOff[1], "box regressions, pass " + pass);
            for (ComputationGraph g : new ComputationGraph[]{on, off}) {
                g.setInputs(image);
                g.setLabels(labels);
                g.computeGradientAndScore();
            }
            assertClose(on.gradient().gradient(), off.gradient().gradient(), "gradients, pass " + pass);
        }
    }

    private static void assertClose(INDArray a, INDArray b, String what) {
        double scale = Math.max(1e-6, a.amaxNumber().doubleValue());
        double diff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": max difference " + diff + " at scale " + scale);
    }
}
