package org.retinanet4j.torchvision;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.zoo.RetinaNet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a RetinaNet for a new dataset from an existing one (typically imported torchvision weights): a graph of
 * the same architecture is built for the new class count, every parameter whose name and shape match is copied,
 * and the classification predictor ({@code cls_head_cls_logits_W/_b}) keeps its fresh initialisation (normal 0.01,
 * prior-probability bias) when the class count changes or {@link #resetClassifier(boolean)} asks for it. The
 * backbone is frozen (trainableBackboneLayers 0) or partly/fully trainable, as torchvision's
 * {@code trainable_backbone_layers}.
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
    private static final String PREDICTOR = TorchvisionParamNames.CLS_HEAD + "_cls_logits_";

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
        int anchors = (int) (require(src, TorchvisionParamNames.BOX_HEAD + "_bbox_reg_W").size(3) / 4);
        int sourceClasses = (int) (require(src, PREDICTOR + "W").size(3) / anchors);
        int k = numClasses == null ? sourceClasses : numClasses;
        int fpnWidth = (int) require(src, "fpn_inner_blocks_0_W").size(0);
        int headDepth = 0;
        while (src.containsKey(TorchvisionParamNames.CLS_HEAD + "_conv_" + headDepth + "_W")) {
            headDepth++;
        }
        int headWidth = headDepth == 0 ? fpnWidth
                : (int) src.get(TorchvisionParamNames.CLS_HEAD + "_conv_0_W").size(3);
        P6Source p6 = require(src, "fpn_extra_blocks_p6_W").size(1) == fpnWidth ? P6Source.P5 : P6Source.C5;
        BatchNormMode bn = src.containsKey("bn1_gamma") ? BatchNormMode.TRAINABLE : BatchNormMode.FROZEN;
        int[] shape = inputShape != null ? inputShape : new int[]{3, 512, 512};

        ComputationGraph target = RetinaNet.builder().numClasses(k).backbone(depthOf(src)).fpnWidth(fpnWidth)
                .headWidth(headWidth).headDepth(headDepth).anchorsPerLocation(anchors).p6Source(p6)
                .batchNormMode(bn).trainableBackboneLayers(trainableBackboneLayers).updater(updater)
                .inputShape(shape).seed(seed).build().init();
        int copied = 0;
        for (Map.Entry<String, INDArray> e : target.paramTable().entrySet()) {
            INDArray from = src.get(e.getKey());
            boolean predictor = e.getKey().startsWith(PREDICTOR);
            if (from != null && java.util.Arrays.equals(from.shape(), e.getValue().shape())
                    && !(predictor && resetClassifier)) {
                e.getValue().assign(from);
                copied++;
            }
        }
        copyBatchNormEps(target);
        LOG.info("fine-tuning graph: {} classes (source {}), {} of {} parameter arrays copied, trainable backbone "
                + "layers {}", k, sourceClasses, copied, target.paramTable().size(), trainableBackboneLayers);
        return target;
    }

    /** The import may have set a BN layer's eps to torchvision's; the copy must keep it. */
    private void copyBatchNormEps(ComputationGraph target) {
        for (Layer layer : target.getLayers()) {
            BatchNormalization to = batchNorm(layer);
            if (to != null) {
                BatchNormalization from = batchNorm(source.getLayer(layer.conf().getLayer().getLayerName()));
                if (from != null) {
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

    private static INDArray require(Map<String, INDArray> params, String key) {
        INDArray p = params.get(key);
        if (p == null) {
            throw new IllegalArgumentException("source graph is not a RetinaNet of this project: no parameter '"
                    + key + "'");
        }
        return p;
    }
}
