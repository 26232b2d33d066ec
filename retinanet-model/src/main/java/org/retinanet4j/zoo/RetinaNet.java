package org.retinanet4j.zoo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.ModelMetaData;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.ZooType;
import org.nd4j.linalg.api.buffer.DataType;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.runtime.OneDnnHelpers;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.spec.SpecBuilder;
import org.retinanet4j.train.OptimizationRecipe;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;

/**
 * RetinaNet (Lin et al., "Focal Loss for Dense Object Detection") as a DL4J zoo model, laid out like
 * torchvision's {@code retinanet_resnet50_fpn} so its weights carry over.
 *
 * <pre>
 *   ComputationGraph net = RetinaNet.builder().numClasses(20).build().init();
 * </pre>
 * The builder produces the model's {@link RetinaNetSpec} ({@link #spec()}): architecture, anchors, input size and
 * normalisation, decoder settings; everything that trains, saves, fine-tunes or runs the model takes its settings
 * from that spec. The graph has one input {@code image} ({@code [N, 3, H, W]}, normalised RGB; H and W multiples of
 * {@link RetinaNetSpec#paddingMultiple()}) and two outputs, {@code cls} ({@code [N, A*K]} logits) and {@code box}
 * ({@code [N, A*4]} regressions), anchors ordered level P3..P7, row, column, anchor (torchvision's order).
 * Defaults are torchvision's: ResNet-50, FPN and heads 256 wide, 4 head convolutions, 9 anchors per location,
 * prior 0.01, focal alpha 0.25, gamma 2, L1 box loss, P6 from P5. {@link #small(int)} is a configuration that
 * trains on a laptop CPU in minutes.
 *
 * <p>The optimiser is not a model setting: a built graph carries the default training recipe's updater
 * ({@link OptimizationRecipe#defaultUpdater()}); {@code Trainer.fit} puts its {@code TrainerConfig}'s recipe on
 * the graph, and {@link OptimizationRecipe#apply} does the same for a graph you fit yourself.
 *
 * <p>Pretrained weights: none are hosted. {@link #initPretrained(File)} loads a file made by
 * {@code ./retinanet import-torchvision}; {@link #initPretrained(PretrainedType)} looks for
 * {@link #pretrainedFileName()} in DL4J's resources directory.
 */
public final class RetinaNet extends ZooModel<RetinaNet> {
    public static final String INPUT = "image";
    public static final String CLS_OUTPUT = "cls";
    public static final String BOX_OUTPUT = "box";
    /** Vertex names of the shared classification and box subnets ({@code graph.getVertex(CLS_HEAD)}). */
    public static final String CLS_HEAD = "cls_head";
    public static final String BOX_HEAD = "box_head";
    public static final String MODEL_NAME = "retinanet";

    private final RetinaNetSpec spec;
    private final GraphOptions options;
    private final long pretrainedChecksum;

    private RetinaNet(RetinaNetSpec spec, GraphOptions options, long pretrainedChecksum) {
        this.spec = spec;
        this.options = options;
        this.pretrainedChecksum = pretrainedChecksum;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every setting of {@code spec} (graph options at their defaults). */
    public static Builder from(RetinaNetSpec spec) {
        return new Builder().from(spec);
    }

    /** FPN and head channels of {@link #smallBuilder(int)}. */
    public static final int SMALL_WIDTH = 32;
    /** 3x3 convolutions per head (before the predictor) of {@link #smallBuilder(int)}. */
    public static final int SMALL_HEAD_DEPTH = 1;

    /**
     * A CPU-friendly configuration: ResNet-18, FPN and heads 32 wide, one head convolution, 256x256 input,
     * trainable BatchNorm; torchvision's anchors and losses. Narrow heads learned the demo's shapes faster on a
     * 2-core CPU than wider, deeper ones (docs/model.md). Widen it with {@code fpnWidth}/{@code headWidth}/
     * {@code headDepth} for harder data.
     */
    public static Builder smallBuilder(int numClasses) {
        return builder().numClasses(numClasses).backbone(ResNetDepth.RESNET18).inputSize(256, 256)
                .fpnWidth(SMALL_WIDTH).headWidth(SMALL_WIDTH).headDepth(SMALL_HEAD_DEPTH);
    }

    /** {@link #smallBuilder(int)} built. */
    public static RetinaNet small(int numClasses) {
        return smallBuilder(numClasses).build();
    }

    /** The model's specification: what the graph computes, and how inputs and outputs are prepared. */
    public RetinaNetSpec spec() {
        return spec;
    }

    /** The network configuration (validated). */
    public ComputationGraphConfiguration conf() {
        return new RetinaNetGraph(spec, options).configuration();
    }

    @Override
    @SuppressWarnings("unchecked")
    public ComputationGraph init() {
        OneDnnHelpers.enable();
        ComputationGraph net = new ComputationGraph(conf());
        net.init();
        return net;
    }

    /** Loads weights saved with ModelSerializer from {@code file}, checking its Adler32 when {@code checksum > 0}. */
    public ComputationGraph initPretrained(File file, long checksum) throws IOException {
        OneDnnHelpers.enable();
        return PretrainedWeights.load(file, checksum);
    }

    /** {@link #initPretrained(File, long)} without a checksum. */
    public ComputationGraph initPretrained(File file) throws IOException {
        return initPretrained(file, 0);
    }

    /**
     * Loads {@link #pretrainedFileName()} from DL4J's resources directory ({@code PretrainedType.IMAGENET} is
     * accepted as "the default weights": DL4J has no COCO member).
     */
    @Override
    @SuppressWarnings("unchecked")
    public <M extends Model> M initPretrained(PretrainedType type) throws IOException {
        File f = PretrainedWeights.resourcesFile(MODEL_NAME, pretrainedFileName());
        return (M) initPretrained(f, pretrainedChecksum(type));
    }

    @Override
    public Model initPretrained() throws IOException {
        return initPretrained(PretrainedType.IMAGENET);
    }

    /** File name looked up in the resources directory, e.g. {@code retinanet_resnet50_fpn_coco.zip}. */
    public String pretrainedFileName() {
        return "retinanet_" + spec.backbone().name().toLowerCase(java.util.Locale.ROOT) + "_fpn_coco.zip";
    }

    @Override
    public String pretrainedUrl(PretrainedType pretrainedType) {
        return null;
    }

    @Override
    public long pretrainedChecksum(PretrainedType pretrainedType) {
        return pretrainedChecksum;
    }

    @Override
    public String modelName() {
        return MODEL_NAME;
    }

    @Override
    public Class<? extends Model> modelType() {
        return ComputationGraph.class;
    }

    @Override
    public ModelMetaData metaData() {
        return new ModelMetaData(new int[][]{spec.inputShape()}, 2, ZooType.CNN);
    }

    @Override
    public void setInputShape(int[][] inputShape) {
        throw new UnsupportedOperationException("RetinaNet is immutable: use RetinaNet.builder().inputShape(...)");
    }

    /**
     * Builder in the style of DL4J's zoo models: the model's settings (those of {@link RetinaNetSpec}, inherited
     * from {@link SpecBuilder}) and how the graph runs (seed, workspace and cache modes, data type).
     * {@link #build()} validates every setting.
     */
    public static final class Builder extends SpecBuilder<Builder> {
        private long seed = 1234;
        private WorkspaceMode workspaceMode = WorkspaceMode.ENABLED;
        private CacheMode cacheMode = CacheMode.NONE;
        private DataType dataType = DataType.FLOAT;
        private long pretrainedChecksum = 0;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {channels, height, width}; channels 3, height and width multiples of 128 (as DL4J's zoo models). */
        public Builder inputShape(int... v) {
            if (v == null || v.length != 3) {
                throw new IllegalArgumentException("RetinaNet: inputShape must be {channels, height, width}, got "
                        + Arrays.toString(v));
            }
            if (v[0] != 3) {
                throw new IllegalArgumentException("RetinaNet: inputShape channels must be 3 (RGB), got " + v[0]);
            }
            return inputSize(v[1], v[2]);
        }

        /** Initialisation seed of the graph. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder workspaceMode(WorkspaceMode v) {
            workspaceMode = v;
            return this;
        }

        public Builder cacheMode(CacheMode v) {
            cacheMode = v;
            return this;
        }

        public Builder dataType(DataType v) {
            dataType = v;
            return this;
        }

        /** Adler32 of the weights file {@code initPretrained} loads; 0 skips the check. */
        public Builder pretrainedChecksum(long v) {
            pretrainedChecksum = v;
            return this;
        }

        public RetinaNet build() {
            RetinaNetSpec spec = buildSpec();
            if (workspaceMode == null || cacheMode == null) {
                throw new IllegalArgumentException("RetinaNet: workspaceMode and cacheMode must be set");
            }
            if (dataType == null || !dataType.isFPType()) {
                throw new IllegalArgumentException("RetinaNet: dataType must be a floating point type, got "
                        + dataType);
            }
            return new RetinaNet(spec, new GraphOptions(seed, workspaceMode, cacheMode, dataType),
                    pretrainedChecksum);
        }
    }
}
