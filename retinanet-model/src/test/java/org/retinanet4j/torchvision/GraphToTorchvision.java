package org.retinanet4j.torchvision;

import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The inverse of the import for a graph with trainable BatchNorm at eps 1e-5: its parameters under torchvision's
 * names and layouts. Lets the mapping be tested in both directions without torch.
 */
final class GraphToTorchvision {

    private GraphToTorchvision() {
    }

    static Map<String, INDArray> stateDict(ComputationGraph graph) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : graph.paramTable().entrySet()) {
            String key = e.getKey();
            INDArray p = e.getValue();
            INDArray v;
            if (key.endsWith("_log10stdev")) {
                INDArray std = Transforms.pow(p.dup().assign(10.0), p, true);
                v = std.mul(std);
            } else if (p.rank() == 4 && (key.startsWith("cls_head_") || key.startsWith("box_head_"))) {
                v = p.permute(3, 2, 0, 1).dup('c');
            } else {
                v = p.dup();
            }
            if (v.rank() == 2 && v.size(0) == 1) {
                v = v.reshape(v.length());
            }
            out.put(TorchvisionParamNames.torchvisionName(key), v);
        }
        return out;
    }
}
