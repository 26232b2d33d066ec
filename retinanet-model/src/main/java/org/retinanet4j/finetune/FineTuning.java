package org.retinanet4j.finetune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.torchvision.TorchvisionParamNames;
import org.retinanet4j.zoo.RetinaNet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a RetinaNet for a new dataset from a saved one (trained here or imported from torchvision): the source's
 * {@link RetinaNetSpec} with the new classes and the chosen trainable backbone layers (anchors, input,
 * normalisation, decoder and architecture stay the source's) is built through the zoo, every parameter whose
 * name and shape match is copied, and the classification predictor ({@code cls_head_clsLogitsW/b}) keeps its
 * fresh initialisation (normal 0.01, prior-probability bias) when the class count changes or
 * {@link #resetClassifier(boolean)} asks for it. The backbone is frozen (trainableBackboneLayers 0) or partly or
 * fully trainable, as torchvision's {@code trainable_backbone_layers}: the frozen stages are a prefix of the graph
 * that the backward pass skips whole (DL4J {@code FrozenLayer}/{@code FrozenVertex}: no weight gradients, as in
 * torch). A frozen layer runs in inference mode, so a graph with TRAINABLE BatchNorm can freeze the stem only (4 or
 * 5); imports default to FROZEN (folded) BatchNorm, which freezes at any level.
 *
 * <p>Why a rebuild and not DL4J's {@code TransferLearning}: the heads are SameDiff vertices whose predictor size
 * is part of the vertex configuration, so "replace the predictor" means a new vertex anyway; building the whole
 * graph through {@link RetinaNet} keeps one construction path (losses, init, freezing) for training from scratch
 * and fine-tuning alike. The optimiser is the training run's ({@code TrainerConfig}), as for any graph.
 *
 * <pre>
 *   SavedModel tuned = FineTuning.from(ModelBundle.load(file)).classes(names, ids).trainableBackboneLayers(0).build();
 * </pre>
 */
public final class FineTuning {

    private static final Logger LOG = LoggerFactory.getLogger(FineTuning.class);

    private final SavedModel source;
    private List<String> classNames;
    private int[] categoryIds;
    private int trainableBackboneLayers = 3;
    private boolean resetClassifier;
    private Integer inputHeight;
    private Integer inputWidth;
    private long seed = 1234;

    private FineTuning(SavedModel source) {
        this.source = source;
    }

    public static FineTuning from(SavedModel source) {
        return new FineTuning(source);
    }

    /** The new dataset's classes (name and category id of each class index); default: the source's. */
    public FineTuning classes(List<String> names, int[] ids) {
        classNames = List.copyOf(names);
        categoryIds = ids.clone();
        return this;
    }

    /** {@code k} classes named {@code class_<i>} with category id i; default: the source's classes. */
    public FineTuning numClasses(int k) {
        List<String> names = new ArrayList<>(k);
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            names.add("class_" + i);
            ids[i] = i;
        }
        return classes(names, ids);
    }

    /** 0 = whole backbone frozen, 5 = everything trains (torchvision's trainable_backbone_layers); default 3. */
    public FineTuning trainableBackboneLayers(int layers) {
        trainableBackboneLayers = layers;
        return this;
    }

    /** Re-initialise the classification predictor even when the class count is unchanged. */
    public FineTuning resetClassifier(boolean reset) {
        resetClassifier = reset;
        return this;
    }

    /** Network input size of the new model; default: the source's. */
    public FineTuning inputSize(int height, int width) {
        inputHeight = height;
        inputWidth = width;
        return this;
    }

    public FineTuning seed(long s) {
        seed = s;
        return this;
    }

    /** Builds the new model and copies the source's parameters into it. */
    public SavedModel build() {
        ModelMetadata from = source.metadata();
        RetinaNetSpec sourceSpec = from.spec();
        List<String> names = classNames != null ? classNames : from.classNames();
        int[] ids = categoryIds != null ? categoryIds : from.categoryIds();
        RetinaNetSpec spec = sourceSpec.toBuilder().numClasses(names.size())
                .trainableBackboneLayers(trainableBackboneLayers)
                .inputSize(inputHeight != null ? inputHeight : sourceSpec.inputHeight(),
                        inputWidth != null ? inputWidth : sourceSpec.inputWidth())
                .build();
        ComputationGraph target = RetinaNet.from(spec).seed(seed).build().init();
        Map<String, INDArray> src = source.graph().paramTable();
        int copied = 0;
        for (Map.Entry<String, INDArray> e : target.paramTable().entrySet()) {
            INDArray value = find(src, e.getKey());
            boolean predictor = e.getKey().startsWith(TorchvisionParamNames.CLS_PREDICTOR);
            if (value != null && Arrays.equals(value.shape(), e.getValue().shape()) && !(predictor && resetClassifier)) {
                e.getValue().assign(value);
                copied++;
            }
        }
        copyBatchNormEps(target);
        LOG.info("fine-tuning graph: {} classes (source {}), {} of {} parameter arrays copied, trainable backbone "
                + "layers {}", spec.numClasses(), sourceSpec.numClasses(), copied, target.paramTable().size(),
                trainableBackboneLayers);
        return new SavedModel(target, new ModelMetadata(spec, names, ids, from.properties()));
    }

    /** The import may have set a BN layer's eps to torchvision's; the copy must keep it. */
    private void copyBatchNormEps(ComputationGraph target) {
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : target.getVertices()) {
            if (v.hasLayer()) {
                BatchNormalization to = batchNorm(v.getLayer());
                BatchNormalization from = batchNorm(source.graph().getLayer(v.getVertexName()));
                if (to != null && from != null) {
                    to.setEps(from.getEps());
                }
            }
        }
    }

    private static BatchNormalization batchNorm(Layer layer) {
        if (layer == null) {
            return null;
        }
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        if (conf instanceof FrozenLayer frozen) {
            conf = frozen.getLayer();
        } else if (conf instanceof BaseWrapperLayer wrapper) {
            conf = wrapper.getUnderlying();
        }
        return conf instanceof BatchNormalization bn ? bn : null;
    }

    /** A parameter by key, or by the head's older key style (see TorchvisionParamNames.legacyHeadKey). */
    private static INDArray find(Map<String, INDArray> params, String key) {
        INDArray p = params.get(key);
        String legacy = TorchvisionParamNames.legacyHeadKey(key);
        return p != null || legacy == null ? p : params.get(legacy);
    }
}
