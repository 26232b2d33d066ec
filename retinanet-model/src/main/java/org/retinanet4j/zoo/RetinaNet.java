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
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.runtime.OneDnnHelpers;

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
 * The graph has one input {@code image} ({@code [N, 3, H, W]}, ImageNet-normalised RGB; H and W multiples of
 * 128) and two outputs, {@code cls} ({@code [N, A*K]} logits) and {@code box} ({@code [N, A*4]} regressions),
 * anchors ordered level P3..P7, row, column, anchor (torchvision's order). Defaults are torchvision's: ResNet-50,
 * FPN and heads 256 wide, 4 head convolutions, 9 anchors per location, prior 0.01, focal alpha 0.25, gamma 2, L1
 * box loss, P6 from P5. {@link #small(int)} is a configuration that trains on a laptop CPU in minutes.
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

    private final RetinaNetConfig config;

    RetinaNet(RetinaNetConfig config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** FPN and head channels of {@link #smallBuilder(int)}. */
    public static final int SMALL_WIDTH = 32;
    /** 3x3 convolutions per head (before the predictor) of {@link #smallBuilder(int)}. */
    public static final int SMALL_HEAD_DEPTH = 1;

    /**
     * A CPU-friendly configuration: ResNet-18, FPN and heads 32 wide, one head convolution, 256x256 input,
     * trainable BatchNorm, Adam 1e-3; torchvision's anchors and losses. On 2 cores it learned the demo's shapes
     * faster than 96-wide, 2-convolution heads (AP50 0.848 against 0.675 in the same 8.7 minutes). Widen it with
     * {@code fpnWidth}/{@code headWidth}/{@code headDepth} for harder data.
     */
    public static Builder smallBuilder(int numClasses) {
        return builder().numClasses(numClasses).backbone(ResNetDepth.RESNET18).inputShape(3, 256, 256)
                .fpnWidth(SMALL_WIDTH).headWidth(SMALL_WIDTH).headDepth(SMALL_HEAD_DEPTH).updater(new Adam(1e-3));
    }

    /** {@link #smallBuilder(int)} built. */
    public static RetinaNet small(int numClasses) {
        return smallBuilder(numClasses).build();
    }

    public RetinaNetConfig config() {
        return config;
    }

    /** The network configuration (validated). */
    public ComputationGraphConfiguration conf() {
        return new RetinaNetGraph(config).configuration();
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
        return "retinanet_" + config.backbone().name().toLowerCase(java.util.Locale.ROOT) + "_fpn_coco.zip";
    }

    @Override
    public String pretrainedUrl(PretrainedType pretrainedType) {
        return null;
    }

    @Override
    public long pretrainedChecksum(PretrainedType pretrainedType) {
        return config.pretrainedChecksum();
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
        return new ModelMetaData(new int[][]{config.inputShape().clone()}, 2, ZooType.CNN);
    }

    @Override
    public void setInputShape(int[][] inputShape) {
        throw new UnsupportedOperationException("RetinaNet is immutable: use RetinaNet.builder().inputShape(...)");
    }

    /** Builder in the style of DL4J's zoo models; {@link #build()} validates every setting. */
    public static final class Builder {
        private int numClasses = -1;
        private ResNetDepth backbone = ResNetDepth.RESNET50;
        private String backboneName;
        private int[] inputShape = {3, 512, 512};
        private AnchorConfig anchorConfig = AnchorConfig.torchvisionDefault();
        private Integer anchorsPerLocation;
        private int fpnWidth = 256;
        private int headWidth = 256;
        private int headDepth = 4;
        private double priorProbability = 0.01;
        private double focalAlpha = 0.25;
        private double focalGamma = 2.0;
        private BoxRegressionLoss.Type boxLossType = BoxRegressionLoss.Type.L1;
        private BatchNormMode batchNormMode = BatchNormMode.TRAINABLE;
        private int trainableBackboneLayers = 5;
        private P6Source p6Source = P6Source.P5;
        private long seed = 1234;
        private IUpdater updater = new Adam(1e-4);
        private WorkspaceMode workspaceMode = WorkspaceMode.ENABLED;
        private CacheMode cacheMode = CacheMode.NONE;
        private DataType dataType = DataType.FLOAT;
        private long pretrainedChecksum = 0;

        public Builder numClasses(int v) {
            numClasses = v;
            return this;
        }

        public Builder backbone(ResNetDepth v) {
            backbone = v;
            backboneName = null;
            return this;
        }

        /** By name: resnet18, resnet34, resnet50, resnet101 (or 18, 34, ...); checked by {@link #build()}. */
        public Builder backbone(String name) {
            backboneName = name;
            backbone = null;
            return this;
        }

        /** {channels, height, width}; channels 3, height and width multiples of 128. */
        public Builder inputShape(int... v) {
            inputShape = v == null ? null : v.clone();
            return this;
        }

        /**
         * Expected anchors per location; {@link #build()} fails unless it equals
         * {@code anchorConfig.anchorsPerLocation()} (scales x ratios). Kept for callers of the first API.
         */
        public Builder anchorsPerLocation(int v) {
            anchorsPerLocation = v;
            return this;
        }

        /** Anchor sizes, scales and ratios; must describe the 5 levels P3..P7 (torchvision's by default). */
        public Builder anchorConfig(AnchorConfig v) {
            anchorConfig = v;
            return this;
        }

        public Builder fpnWidth(int v) {
            fpnWidth = v;
            return this;
        }

        public Builder headWidth(int v) {
            headWidth = v;
            return this;
        }

        public Builder headDepth(int v) {
            headDepth = v;
            return this;
        }

        public Builder priorProbability(double v) {
            priorProbability = v;
            return this;
        }

        public Builder focalAlpha(double v) {
            focalAlpha = v;
            return this;
        }

        public Builder focalGamma(double v) {
            focalGamma = v;
            return this;
        }

        public Builder boxLossType(BoxRegressionLoss.Type v) {
            boxLossType = v;
            return this;
        }

        public Builder batchNormMode(BatchNormMode v) {
            batchNormMode = v;
            return this;
        }

        /** torchvision's trainable_backbone_layers, 0..5 (5 = everything trains). */
        public Builder trainableBackboneLayers(int v) {
            trainableBackboneLayers = v;
            return this;
        }

        public Builder p6Source(P6Source v) {
            p6Source = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder updater(IUpdater v) {
            updater = v;
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
            require(numClasses > 0, "numClasses must be > 0, got " + numClasses);
            if (backboneName != null) {
                backbone = ResNetDepth.parse(backboneName);
            }
            require(backbone != null, "backbone must be one of " + Arrays.toString(ResNetDepth.values()));
            require(inputShape != null && inputShape.length == 3,
                    "inputShape must be {channels, height, width}, got " + Arrays.toString(inputShape));
            require(inputShape[0] == 3, "inputShape channels must be 3 (RGB), got " + inputShape[0]);
            require(inputShape[1] > 0 && inputShape[1] % 128 == 0,
                    "inputShape height must be a positive multiple of 128, got " + inputShape[1]);
            require(inputShape[2] > 0 && inputShape[2] % 128 == 0,
                    "inputShape width must be a positive multiple of 128, got " + inputShape[2]);
            require(anchorConfig != null, "anchorConfig must be set");
            require(anchorConfig.numLevels() == 5, "anchorConfig must have one base size per level P3..P7 (5), got "
                    + anchorConfig.numLevels() + ": " + Arrays.toString(anchorConfig.baseSizes()));
            require(anchorsPerLocation == null || anchorsPerLocation == anchorConfig.anchorsPerLocation(),
                    "anchorsPerLocation " + anchorsPerLocation + " does not match anchorConfig's "
                            + anchorConfig.anchorsPerLocation() + " (scales x aspect ratios)");
            require(anchorConfig.firstLevel() == 3, "anchorConfig.firstLevel must be 3 (P3), got "
                    + anchorConfig.firstLevel());
            require(fpnWidth > 0, "fpnWidth must be > 0, got " + fpnWidth);
            require(headWidth > 0, "headWidth must be > 0, got " + headWidth);
            require(headDepth >= 0, "headDepth must be >= 0, got " + headDepth);
            require(priorProbability > 0 && priorProbability < 1,
                    "priorProbability must be in (0, 1), got " + priorProbability);
            require(focalGamma >= 0, "focalGamma must be >= 0, got " + focalGamma);
            require(focalAlpha <= 1, "focalAlpha must be <= 1 (negative disables it), got " + focalAlpha);
            require(boxLossType != null, "boxLossType must be set");
            require(batchNormMode != null, "batchNormMode must be set");
            require(trainableBackboneLayers >= 0 && trainableBackboneLayers <= 5,
                    "trainableBackboneLayers must be 0..5, got " + trainableBackboneLayers);
            require(batchNormMode == BatchNormMode.FROZEN || trainableBackboneLayers >= 4,
                    "trainableBackboneLayers " + trainableBackboneLayers + " freezes residual stages, which needs "
                            + "batchNormMode FROZEN (a frozen DL4J BatchNormalization layer runs in inference mode)");
            require(p6Source != null, "p6Source must be set");
            require(updater != null, "updater must be set");
            require(workspaceMode != null, "workspaceMode must be set");
            require(cacheMode != null, "cacheMode must be set");
            require(dataType != null && dataType.isFPType(), "dataType must be a floating point type, got "
                    + dataType);
            return new RetinaNet(new RetinaNetConfig(numClasses, backbone, inputShape.clone(), anchorConfig,
                    fpnWidth, headWidth, headDepth, priorProbability, focalAlpha, focalGamma, boxLossType,
                    batchNormMode, trainableBackboneLayers, p6Source, seed, updater, workspaceMode, cacheMode,
                    dataType, pretrainedChecksum));
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException("RetinaNet: " + message);
            }
        }
    }
}
