package org.retinanet4j.torchvision;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.runtime.OneDnnHelpers;
import org.retinanet4j.zoo.RetinaNet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a RetinaNet for a new dataset from an existing one (typically imported torchvision weights): a graph of
 * the same architecture is built for the new class count, every parameter whose name and shape match is copied,
 * and the classification predictor ({@code cls_head_clsLogitsW/b}) keeps its fresh initialisation (normal 0.01,
 * prior-probability bias) when the class count changes or {@link #resetClassifier(boolean)} asks for it. The
 * backbone is frozen (trainableBackboneLayers 0) or partly/fully trainable, as torchvision's
 * {@code trainable_backbone_layers}. The frozen stages are a prefix of the graph: their layers are wrapped in DL4J's
 * {@code FrozenLayer} and their residual additions in {@code FrozenVertex}, so the backward pass skips them whole
 * (no weight gradients, no errors computed for layers that need none, as in torch's autograd). A frozen layer runs
 * in inference mode, so a graph with TRAINABLE BatchNorm can freeze the stem only (trainableBackboneLayers 4 or 5);
 * imports default to FROZEN (folded) BatchNorm, which freezes at any level.
 *
 * <p>Why a rebuild and not DL4J's {@code TransferLearning}: the heads are SameDiff vertices whose predictor size
 * is part of the vertex configuration, so "replace the predictor" means a new vertex anyway; building the whole
 * graph through {@link RetinaNet#builder()} keeps one construction path (losses, init, freezing) for training
 * from scratch and fine-tuning alike.
 *
 * <pre>
 *   ComputationGraph tuned = FineTuning.from(imported).numClasses(3).trainableBackboneLayers(0).build();
 * </pre>
 */
public final class FineTuning {

    private static final Logger LOG = LoggerFactory.getLogger(FineTuning.class);
    private static final Pattern BLOCK = Pattern.compile("layer(\\d)_(\\d+)_conv1_W");
    private static final Pattern STAGE = Pattern.compile("layer(\\d)_\\d+_.*");


    private final ComputationGraph source;
    private Integer numClasses;
    private int trainableBackboneLayers = 3;
    private IUpdater updater = new Adam(1e-4);
    private boolean resetClassifier;
    private int[] inputShape;
    private long seed = 1234;

    private FineTuning(ComputationGraph source) {
        this.source = source;
    }

    public static FineTuning from(ComputationGraph source) {
        return new FineTuning(source);
    }

    /** Classes of the new dataset; default: the source's. */
    public FineTuning numClasses(int k) {
        numClasses = k;
        return this;
    }

    /** 0 = whole backbone frozen, 5 = everything trains (torchvision's trainable_backbone_layers); default 3. */
    public FineTuning trainableBackboneLayers(int layers) {
        trainableBackboneLayers = layers;
        return this;
    }

    public FineTuning updater(IUpdater u) {
        updater = u;
        return this;
    }

    /** Re-initialise the classification predictor even when the class count is unchanged. */
    public FineTuning resetClassifier(boolean reset) {
        resetClassifier = reset;
        return this;
    }

    /** Network input size recorded in the graph (multiples of 128; other sizes still run); default 512x512. */
    public FineTuning inputSize(int height, int width) {
        inputShape = new int[]{3, height, width};
        return this;
    }

    public FineTuning seed(long s) {
        seed = s;
        return this;
    }

    /** Builds the new graph and copies the source's parameters into it. */
    public ComputationGraph build() {
        Map<String, INDArray> src = source.paramTable();
        int anchors = (int) (require(src, TorchvisionParamNames.BOX_PREDICTOR + "W").size(3) / 4);
        int sourceClasses = (int) (require(src, TorchvisionParamNames.CLS_PREDICTOR + "W").size(3) / anchors);
        int k = numClasses == null ? sourceClasses : numClasses;
        int fpnWidth = (int) require(src, "fpn_inner_blocks_0_W").size(0);
        int headDepth = 0;
        while (find(src, TorchvisionParamNames.CLS_HEAD + "_conv" + headDepth + "W") != null) {
            headDepth++;
        }
        int headWidth = headDepth == 0 ? fpnWidth
                : (int) find(src, TorchvisionParamNames.CLS_HEAD + "_conv0W").size(3);
        P6Source p6 = require(src, "fpn_extra_blocks_p6_W").size(1) == fpnWidth ? P6Source.P5 : P6Source.C5;
        BatchNormMode bn = src.containsKey("bn1_gamma") ? BatchNormMode.TRAINABLE : BatchNormMode.FROZEN;
        int[] shape = inputShape != null ? inputShape : new int[]{3, 512, 512};

        if (trainableBackboneLayers < 0 || trainableBackboneLayers > 5) {
            throw new IllegalArgumentException("trainableBackboneLayers must be 0..5, got " + trainableBackboneLayers);
        }
        if (bn == BatchNormMode.TRAINABLE && trainableBackboneLayers < 4) {
            throw new IllegalArgumentException("trainableBackboneLayers " + trainableBackboneLayers + " needs a graph "
                    + "with FROZEN BatchNorm (DL4J M2.1 cannot freeze a BatchNormalization layer inside the network); "
                    + "import with FROZEN BatchNorm (the default) or use 4 or 5");
        }
        ComputationGraphConfiguration conf = RetinaNet.builder().numClasses(k).backbone(depthOf(src))
                .fpnWidth(fpnWidth).headWidth(headWidth).headDepth(headDepth).anchorsPerLocation(anchors)
                .p6Source(p6).batchNormMode(bn).trainableBackboneLayers(5).updater(updater).inputShape(shape)
                .seed(seed).build().conf();
        int frozen = freezeStages(conf);
        OneDnnHelpers.enable();
        ComputationGraph target = new ComputationGraph(conf);
        target.init();
        int copied = 0;
        for (Map.Entry<String, INDArray> e : target.paramTable().entrySet()) {
            INDArray from = find(src, e.getKey());
            boolean predictor = e.getKey().startsWith(TorchvisionParamNames.CLS_PREDICTOR)
                    || e.getKey().startsWith(TorchvisionParamNames.CLS_HEAD + "_cls_logits_");
            if (from != null && java.util.Arrays.equals(from.shape(), e.getValue().shape())
                    && !(predictor && resetClassifier)) {
                e.getValue().assign(from);
                copied++;
            }
        }
        copyBatchNormEps(target);
        LOG.info("fine-tuning graph: {} classes (source {}), {} of {} parameter arrays copied, trainable backbone "
                + "layers {} ({} layers frozen)", k, sourceClasses, copied, target.paramTable().size(),
                trainableBackboneLayers, frozen);
        return target;
    }

    /** Wraps the layers of the stages torchvision's trainable_backbone_layers would freeze. */
    private int freezeStages(ComputationGraphConfiguration conf) {
        int frozen = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            int stage = stageOf(e.getKey());
            if (stage >= 0 && stage < 5 - trainableBackboneLayers && e.getValue() instanceof LayerVertex lv) {
                org.deeplearning4j.nn.conf.layers.Layer wrapped = new FrozenLayer(lv.getLayerConf().getLayer());
                wrapped.setLayerName(e.getKey()); // ComputationGraph.init looks layers up by this name
                lv.getLayerConf().setLayer(wrapped);
                frozen++;
            } else if (stage >= 0 && stage < 5 - trainableBackboneLayers && e.getValue() instanceof ElementWiseVertex) {
                e.setValue(new FrozenVertex(e.getValue())); // the residual additions of a frozen stage
            }
        }
        return frozen;
    }

    /** 0 = stem (conv1, bn1), 1..4 = layer1..layer4, -1 = not backbone. */
    private static int stageOf(String layerName) {
        if (layerName.equals("conv1") || layerName.equals("bn1") || layerName.equals("relu")
                || layerName.equals("maxpool")) {
            return 0;
        }
        Matcher m = STAGE.matcher(layerName);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The import may have set a BN layer's eps to torchvision's; the copy must keep it. */
    private void copyBatchNormEps(ComputationGraph target) {
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : target.getVertices()) {
            if (v.hasLayer()) {
                BatchNormalization to = batchNorm(v.getLayer());
                BatchNormalization from = batchNorm(source.getLayer(v.getVertexName()));
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

    private static ResNetDepth depthOf(Map<String, INDArray> src) {
        int[] blocks = new int[4];
        for (String key : src.keySet()) {
            Matcher m = BLOCK.matcher(key);
            if (m.matches()) {
                int stage = Integer.parseInt(m.group(1)) - 1;
                blocks[stage] = Math.max(blocks[stage], Integer.parseInt(m.group(2)) + 1);
            }
        }
        boolean bottleneck = src.containsKey("layer1_0_conv3_W");
        for (ResNetDepth d : ResNetDepth.values()) {
            if (d.bottleneck() == bottleneck && d.blocks(0) == blocks[0] && d.blocks(1) == blocks[1]
                    && d.blocks(2) == blocks[2] && d.blocks(3) == blocks[3]) {
                return d;
            }
        }
        throw new IllegalArgumentException("source graph backbone " + java.util.Arrays.toString(blocks)
                + " blocks per stage is not a torchvision ResNet");
    }

    /** A parameter by key, or by the head's older key style (see TorchvisionParamNames.legacyHeadKey). */
    private static INDArray find(Map<String, INDArray> params, String key) {
        INDArray p = params.get(key);
        String legacy = TorchvisionParamNames.legacyHeadKey(key);
        return p != null || legacy == null ? p : params.get(legacy);
    }

    private static INDArray require(Map<String, INDArray> params, String key) {
        INDArray p = find(params, key);
        if (p == null) {
            throw new IllegalArgumentException("source graph is not a RetinaNet of this project: no parameter '"
                    + key + "'");
        }
        return p;
    }
}
