package org.retinanet4j.torchvision;

import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The inverse of the import: a graph's parameters under torchvision's names and layouts, e.g. to load weights
 * trained here into torchvision ({@code model.load_state_dict({k: torch.from_numpy(v) ...})}). Only for graphs with
 * TRAINABLE BatchNorm: a folded (FROZEN) BatchNorm cannot be split back into torchvision's conv + BN. The running
 * variance is written for torchvision's eps of 1e-5, which equals the graph's own.
 */
public final class TorchvisionExporter {

    private TorchvisionExporter() {
    }

    /** torchvision name -&gt; tensor, in the graph's parameter order. */
    public static Map<String, INDArray> stateDict(ComputationGraph graph) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : graph.paramTable().entrySet()) {
            String key = e.getKey();
            if (key.endsWith("_b") && TorchvisionParamNames.isBackboneParam(key)) {
                throw new IllegalArgumentException("graph parameter '" + key + "': a folded (FROZEN) BatchNorm "
                        + "cannot be exported to torchvision's conv + BatchNorm");
            }
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
