package org.retinanet4j.torchvision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.zoo.RetinaNet;

/**
 * Builds a RetinaNet from torchvision weights, a {@code .pth} state dict or an exported {@code .npz}
 * ({@link TorchvisionStateDict}): chooses the graph (backbone depth from the file,
 * torchvision's widths), imports the weights strictly ({@link TorchvisionImporter}) and attaches the metadata
 * other commands need (class names and category ids: COCO's when the file has torchvision's 91 classes).
 *
 * <pre>
 *   SavedModel coco = TorchvisionImport.from(Path.of("coco.npz")).inputSize(512, 512).run();
 *   ModelBundle.save(Path.of("coco-retinanet.zip"), coco);
 * </pre>
 */
public final class TorchvisionImport {

    private static final Pattern DEPTH = Pattern.compile("resnet(\\d+)");

    private final Path weights;
    private Integer numClasses;
    private boolean backboneOnly;
    private BatchNormMode batchNormMode = BatchNormMode.FROZEN;
    private Double bnEps;
    private int inputHeight = 512;
    private int inputWidth = 512;
    private Integer width;
    private Integer trainableBackboneLayers;
    private List<String> classNames;

    private TorchvisionImport(Path weights) {
        this.weights = weights;
    }

    /** An import of a {@code .pth} state dict or of the file written by {@code tools/export_torchvision_weights.py}. */
    public static TorchvisionImport from(Path weights) {
        return new TorchvisionImport(weights);
    }

    /** Classes of the detector; default: the count recorded in the file (91 for COCO weights). */
    public TorchvisionImport numClasses(int k) {
        numClasses = k;
        return this;
    }

    /** Import only the ResNet body; FPN and heads get torchvision's initialisation (then fine-tune). */
    public TorchvisionImport backboneOnly(boolean v) {
        backboneOnly = v;
        return this;
    }

    /** FROZEN (default, as torchvision with pretrained weights: BN folded into convs) or TRAINABLE. */
    public TorchvisionImport batchNormMode(BatchNormMode mode) {
        batchNormMode = mode;
        return this;
    }

    /** Overrides the BatchNorm eps recorded in the file. */
    public TorchvisionImport bnEps(double eps) {
        bnEps = eps;
        return this;
    }

    /** Network input size recorded in the model (multiples of 128); default 512x512. */
    public TorchvisionImport inputSize(int height, int width) {
        inputHeight = height;
        inputWidth = width;
        return this;
    }

    /** FPN and head width; default: read from the file (torchvision: 256; 256 for a backbone-only import). */
    public TorchvisionImport width(int channels) {
        width = channels;
        return this;
    }

    /**
     * torchvision's trainable_backbone_layers (0..5) recorded in the graph; default 3 with FROZEN BatchNorm (as
     * torchvision with pretrained weights) and 5 with TRAINABLE BatchNorm (the graph cannot freeze residual stages
     * that hold DL4J BatchNormalization layers).
     */
    public TorchvisionImport trainableBackboneLayers(int layers) {
        trainableBackboneLayers = layers;
        return this;
    }

    /** Class names (index = class); default COCO's for 91 classes, else {@code class_<i>}. */
    public TorchvisionImport classNames(List<String> names) {
        classNames = List.copyOf(names);
        return this;
    }

    /** Reads, builds, imports; throws {@link WeightImportException} naming the first tensor that does not fit. */
    public SavedModel run() throws IOException {
        TorchvisionStateDict state = TorchvisionStateDict.read(weights);
        int k = numClasses != null ? numClasses
                : classNames != null ? classNames.size()
                : state.numClasses() != null ? state.numClasses() : CocoLabels.NUM_CLASSES;
        ResNetDepth depth = depthOf(state);
        int channels = width != null ? width : widthOf(state);
        ComputationGraph graph = RetinaNet.builder().numClasses(k).backbone(depth).fpnWidth(channels)
                .headWidth(channels).headDepth(backboneOnly ? 4 : headDepthOf(state))
                .batchNormMode(batchNormMode).trainableBackboneLayers(trainableBackboneLayers != null
                        ? trainableBackboneLayers : batchNormMode == BatchNormMode.FROZEN ? 3 : 5)
                .inputShape(3, inputHeight, inputWidth).build().init();
        ImportOptions options = new ImportOptions(bnEps, backboneOnly);
        ImportSummary summary = TorchvisionImporter.load(graph, state, options);
        List<String> names = classNames != null ? classNames : defaultNames(k);
        if (names.size() != k) {
            throw new IllegalArgumentException(weights + ": " + names.size() + " class names for " + k + " classes");
        }
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = i; // torchvision's label indices are the category ids (COCO: 1..90, gaps unused)
        }
        String arch = "retinanet_" + depth.name().toLowerCase(java.util.Locale.ROOT) + "_fpn (torchvision "
                + (backboneOnly ? "backbone " : "") + "import, " + batchNormMode.name().toLowerCase(java.util.Locale.ROOT)
                + " BN)";
        ModelMetadata meta = ModelMetadata.of(names, ids, inputHeight, inputWidth, arch)
                .withProperty("import.source", weights.getFileName().toString())
                .withProperty("import.bnEps", Double.toString(summary.bnEps()))
                .withProperty("import.tensors", Integer.toString(summary.tensorsImported()))
                .withProperty("import.backboneOnly", Boolean.toString(backboneOnly));
        return new SavedModel(graph, meta);
    }

    /** Backbone depth from the recorded architecture; ResNet-50 (torchvision's RetinaNet) when unrecorded. */
    static ResNetDepth depthOf(TorchvisionStateDict state) {
        if (state.arch() == null) {
            return ResNetDepth.RESNET50;
        }
        Matcher m = DEPTH.matcher(state.arch());
        if (!m.find()) {
            throw new WeightImportException(TorchvisionStateDict.META_ENTRY, state.source() + ": architecture '"
                    + state.arch() + "' is not a torchvision ResNet or RetinaNet-ResNet");
        }
        return ResNetDepth.parse(m.group(1));
    }

    /** FPN width of the file: rows of the first lateral conv; 256 (torchvision's) when the file has no FPN. */
    static int widthOf(TorchvisionStateDict state) {
        org.nd4j.linalg.api.ndarray.INDArray lateral = state.tensors().get("backbone.fpn.inner_blocks.0.0.weight");
        return lateral == null ? 256 : (int) lateral.size(0);
    }

    /** Convolutions per subnet in the file (torchvision: 4); 4 when the file has no head. */
    static int headDepthOf(TorchvisionStateDict state) {
        int depth = 0;
        while (state.tensors().containsKey("head.classification_head.conv." + depth + ".0.weight")) {
            depth++;
        }
        return depth == 0 && !state.tensors().containsKey("head.classification_head.cls_logits.weight") ? 4 : depth;
    }

    private static List<String> defaultNames(int k) {
        if (k == CocoLabels.NUM_CLASSES) {
            return CocoLabels.names();
        }
        List<String> names = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            names.add("class_" + i);
        }
        return names;
    }
}
