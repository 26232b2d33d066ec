package org.retinanet4j.torchvision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a torchvision {@code state_dict} (a {@link TorchvisionStateDict}) into the parameters of a RetinaNet
 * {@link ComputationGraph} built by {@code org.retinanet4j.zoo.RetinaNet} with the same backbone depth, widths and
 * class count. {@link TorchvisionModelImport} builds such a graph and its metadata from a file.
 *
 * <p>Strict: every tensor must map onto a graph parameter of the same shape (after the layout change of the
 * SameDiff head convolutions), and every graph parameter must receive a tensor; otherwise a
 * {@link WeightImportException} names the first tensor (in file order) or graph parameter that does not fit,
 * and the graph is left untouched (values are assigned only after everything has been checked).
 *
 * <p>BatchNorm: a graph with DL4J BatchNormalization layers (TRAINABLE) gets gamma, beta, mean and
 * {@code log10stdev = log10(sqrt(var + eps - epsLayer))}, since DL4J adds its layer's eps to the stored variance at
 * inference; if that would be undefined (eps 0 against the layer's 1e-5 on a near-zero variance), the layer's eps is
 * set to torchvision's instead. A graph without BN layers (FROZEN) gets each BN folded into the preceding
 * convolution: {@code s = gamma / sqrt(var + eps)}, {@code W' = W * s}, {@code b' = beta - mean * s}.
 */
public final class StateDictLoader {

    private static final Logger LOG = LoggerFactory.getLogger(StateDictLoader.class);

    private StateDictLoader() {
    }

    /** Imports {@code weights} into {@code graph} (in place). */
    public static ImportSummary load(ComputationGraph graph, TorchvisionStateDict weights, ImportOptions options) {
        String file = String.valueOf(weights.source());
        double eps = resolveEps(weights, options, file);
        Map<String, INDArray> params = graph.paramTable();
        Map<String, INDArray> pending = new LinkedHashMap<>();
        Map<String, Map<String, INDArray>> batchNorms = new LinkedHashMap<>();
        Map<String, TorchvisionParamNames.BatchNormTarget> bnTargets = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        int imported = 0;

        for (Map.Entry<String, INDArray> e : weights.tensors().entrySet()) {
            String name = e.getKey();
            INDArray tensor = e.getValue();
            String tv = options.backboneOnly() && isClassifierName(name) ? TorchvisionParamNames.BODY_PREFIX + name
                    : name;
            if (name.endsWith("num_batches_tracked") || (options.backboneOnly() && isNotBackbone(tv))) {
                skipped.add(name);
                continue;
            }
            TorchvisionParamNames.BatchNormTarget bn = TorchvisionParamNames.batchNorm(tv);
            if (bn != null) {
                checkBatchNormTensor(name, tensor, bn, params, file);
                batchNorms.computeIfAbsent(bn.module(), k -> new LinkedHashMap<>()).put(bn.field(), tensor);
                bnTargets.put(bn.module(), bn);
                imported++;
                continue;
            }
            TorchvisionParamNames.Target target = TorchvisionParamNames.target(tv);
            if (target == null) {
                throw misfit(name, file, "tensor '" + name + "' " + Arrays.toString(tensor.shape())
                        + " is not part of torchvision's RetinaNet/ResNet layout");
            }
            String key = target.graphKey();
            if (!params.containsKey(key) && TorchvisionParamNames.legacyHeadKey(key) != null
                    && params.containsKey(TorchvisionParamNames.legacyHeadKey(key))) {
                key = TorchvisionParamNames.legacyHeadKey(key);
            }
            INDArray param = params.get(key);
            if (param == null) {
                throw misfit(name, file, "tensor '" + name + "' " + Arrays.toString(tensor.shape())
                        + " maps to graph parameter '" + target.graphKey() + "', which this graph does not have"
                        + " (another architecture or configuration?)");
            }
            INDArray value = target.layout() == ParamLayout.OIHW_TO_HWIO && tensor.rank() == 4
                    ? tensor.permute(2, 3, 1, 0).dup('c') : tensor;
            if (!fits(value, param)) {
                throw misfit(name, file, "tensor '" + name + "' has shape " + Arrays.toString(tensor.shape())
                        + " but graph parameter '" + key + "' has shape "
                        + Arrays.toString(param.shape()) + (target.layout() == ParamLayout.OIHW_TO_HWIO
                        ? " (laid out [kH, kW, in, out])" : ""));
            }
            pending.put(key, value);
            imported++;
        }

        int folded = 0;
        for (Map.Entry<String, Map<String, INDArray>> e : batchNorms.entrySet()) {
            TorchvisionParamNames.BatchNormTarget bn = bnTargets.get(e.getKey());
            Map<String, INDArray> f = e.getValue();
            for (String field : List.of("weight", "bias", "running_mean", "running_var")) {
                if (!f.containsKey(field)) {
                    throw misfit(bn.module() + "." + field, file, "BatchNorm '" + bn.module() + "' lacks its '"
                            + field + "' tensor '" + bn.module() + "." + field + "'");
                }
            }
            if (params.containsKey(bn.bnLayer() + "_gamma")) {
                setBatchNorm(graph, bn, f, eps, pending);
            } else {
                fold(bn, f, eps, pending, file);
                folded++;
            }
        }

        for (String key : params.keySet()) {
            if (!pending.containsKey(key) && (!options.backboneOnly() || TorchvisionParamNames.isBackboneParam(key))) {
                throw misfit(key, file, "graph parameter '" + key + "' " + Arrays.toString(params.get(key).shape())
                        + " received no tensor: the file lacks '" + TorchvisionParamNames.torchvisionName(key)
                        + "' (another architecture, depth or a truncated file?)");
            }
        }
        for (Map.Entry<String, INDArray> e : pending.entrySet()) {
            INDArray param = params.get(e.getKey());
            param.assign(e.getValue().castTo(param.dataType()).reshape(param.shape()));
        }
        if (!skipped.isEmpty()) {
            LOG.info("{}: skipped {} tensors not used by this import (e.g. {})", file, skipped.size(), skipped.get(0));
        }
        LOG.info("{}: imported {} tensors ({} BatchNorms folded, eps {})", file, imported, folded, eps);
        return new ImportSummary(imported, List.copyOf(skipped), folded, eps);
    }

    private static double resolveEps(TorchvisionStateDict weights, ImportOptions options, String file) {
        if (options.bnEps() != null) {
            return options.bnEps();
        }
        if (weights.recordedBnEps() != null) {
            return weights.recordedBnEps();
        }
        throw new WeightImportException(TorchvisionStateDict.META_ENTRY, file + ": no BatchNorm eps recorded (no "
                + TorchvisionStateDict.META_ENTRY + " entry; export with tools/export_torchvision_weights.py) and "
                + "none given: use 0 for torchvision's COCO RetinaNet weights, 1e-5 for ImageNet ResNets");
    }

    private static boolean isClassifierName(String name) {
        return name.startsWith("conv1.") || name.startsWith("bn1.") || name.startsWith("layer")
                || name.startsWith("fc.");
    }

    private static boolean isNotBackbone(String tv) {
        return tv.startsWith("backbone.body.fc.") || tv.startsWith("backbone.fpn.") || tv.startsWith("head.");
    }

    private static void checkBatchNormTensor(String name, INDArray tensor, TorchvisionParamNames.BatchNormTarget bn,
                                             Map<String, INDArray> params, String file) {
        INDArray target = params.get(bn.bnLayer() + "_" + TorchvisionParamNames.dl4jBatchNormParam(bn.field()));
        String where = "BatchNorm layer '" + bn.bnLayer() + "'";
        if (target == null) {
            target = params.get(bn.foldedConv() + "_b");
            where = "bias of convolution '" + bn.foldedConv() + "' (BN folded)";
        }
        if (target == null) {
            throw misfit(name, file, "tensor '" + name + "' " + Arrays.toString(tensor.shape()) + " is a BatchNorm "
                    + "tensor, but the graph has neither BatchNorm layer '" + bn.bnLayer()
                    + "' nor a biased convolution '" + bn.foldedConv() + "' to fold it into");
        }
        if (tensor.rank() != 1 || tensor.length() != target.length()) {
            throw misfit(name, file, "tensor '" + name + "' has shape " + Arrays.toString(tensor.shape())
                    + " but the " + where + " has " + target.length() + " channels");
        }
    }

    private static void setBatchNorm(ComputationGraph graph, TorchvisionParamNames.BatchNormTarget bn,
                                     Map<String, INDArray> f, double eps, Map<String, INDArray> pending) {
        BatchNormalization conf = batchNormConf(graph.getLayer(bn.bnLayer()));
        INDArray var = f.get("running_var").castTo(DataType.DOUBLE);
        INDArray stored = var.add(eps - conf.getEps());
        if (stored.minNumber().doubleValue() <= 0) {
            // DL4J adds its eps to the stored variance; when torchvision's eps is smaller and a variance tiny,
            // only changing the layer's eps keeps the computation exact.
            LOG.info("BatchNorm '{}': eps set from {} to {} (torchvision's)", bn.bnLayer(), conf.getEps(), eps);
            conf.setEps(eps);
            stored = var;
        }
        pending.put(bn.bnLayer() + "_gamma", f.get("weight"));
        pending.put(bn.bnLayer() + "_beta", f.get("bias"));
        pending.put(bn.bnLayer() + "_mean", f.get("running_mean"));
        pending.put(bn.bnLayer() + "_log10stdev", Transforms.log(Transforms.sqrt(stored, false), 10, false));
    }

    private static BatchNormalization batchNormConf(Layer layer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        if (conf instanceof FrozenLayer frozen) {
            conf = frozen.getLayer();
        }
        return (BatchNormalization) conf;
    }

    private static void fold(TorchvisionParamNames.BatchNormTarget bn, Map<String, INDArray> f, double eps,
                             Map<String, INDArray> pending, String file) {
        String wKey = bn.foldedConv() + "_W";
        INDArray w = pending.get(wKey);
        if (w == null) {
            throw misfit(bn.module() + ".weight", file, "BatchNorm '" + bn.module() + "' follows convolution '"
                    + TorchvisionParamNames.torchvisionName(wKey) + "', which the file lacks");
        }
        INDArray gamma = f.get("weight").castTo(DataType.DOUBLE);
        INDArray scale = gamma.div(Transforms.sqrt(f.get("running_var").castTo(DataType.DOUBLE).add(eps), false));
        INDArray shift = f.get("bias").castTo(DataType.DOUBLE)
                .sub(f.get("running_mean").castTo(DataType.DOUBLE).mul(scale));
        pending.put(wKey, scaleRows(w, scale));
        pending.put(bn.foldedConv() + "_b", shift);
    }

    /** W [out, in, kh, kw] times s[out]. */
    private static INDArray scaleRows(INDArray w, INDArray scale) {
        long out = w.size(0);
        INDArray rows = w.castTo(DataType.DOUBLE).reshape(out, w.length() / out);
        return rows.mulColumnVector(scale.reshape(out, 1)).reshape(w.shape());
    }

    private static boolean fits(INDArray value, INDArray param) {
        if (Arrays.equals(value.shape(), param.shape())) {
            return true;
        }
        // torch biases are [n]; DL4J's are [1, n]
        return value.rank() == 1 && param.rank() == 2 && param.size(0) == 1 && param.size(1) == value.length();
    }

    private static WeightImportException misfit(String tensor, String file, String message) {
        return new WeightImportException(tensor, file + ": " + message);
    }
}
