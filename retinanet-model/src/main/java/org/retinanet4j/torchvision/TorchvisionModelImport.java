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
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.zoo.RetinaNet;

/**
 * Turns torchvision weights, a {@code .pth} state dict or an exported {@code .npz} ({@link TorchvisionStateDict}),
 * into a saved model: the model's {@link RetinaNetSpec} (by default described by the file: backbone depth from its
 * recorded architecture, class count, FPN width and head depth from its tensors, torchvision's anchors, input
 * normalisation and decoder; or given with {@link #spec}), the graph built from it, the weights loaded strictly
 * ({@link StateDictLoader}), and the metadata other commands need (class names and category ids: COCO's when the
 * file has torchvision's 91 classes).
 *
 * <pre>
 *   SavedModel coco = TorchvisionModelImport.from(Path.of("coco.npz")).inputSize(512, 512).run();
 *   ModelBundle.save(Path.of("coco-retinanet.zip"), coco);
 * </pre>
 */
public final class TorchvisionModelImport {

    private static final Pattern DEPTH = Pattern.compile("resnet(\\d+)");

    private final Path weights;
    private RetinaNetSpec spec;
    private Integer numClasses;
    private boolean backboneOnly;
    private BatchNormMode batchNormMode;
    private Double bnEps;
    private Integer inputHeight;
    private Integer inputWidth;
    private Integer width;
    private Integer trainableBackboneLayers;
    private List<String> classNames;

    private TorchvisionModelImport(Path weights) {
        this.weights = weights;
    }

    /** An import of a {@code .pth} state dict or of the file written by {@code tools/export_torchvision_weights.py}. */
    public static TorchvisionModelImport from(Path weights) {
        return new TorchvisionModelImport(weights);
    }

    /**
     * The model to load the file into (architecture, anchors, input, normalisation, decoder), instead of one
     * described by the file; the file must fit it exactly. Excludes the settings below that describe the model
     * ({@code numClasses}, {@code batchNormMode}, {@code inputSize}, {@code width}, {@code trainableBackboneLayers}).
     */
    public TorchvisionModelImport spec(RetinaNetSpec s) {
        spec = s;
        return this;
    }

    /** Classes of the detector; default: the count recorded in the file (91 for COCO weights). */
    public TorchvisionModelImport numClasses(int k) {
        numClasses = k;
        return this;
    }

    /** Import only the ResNet body; FPN and heads get torchvision's initialisation (then fine-tune). */
    public TorchvisionModelImport backboneOnly(boolean v) {
        backboneOnly = v;
        return this;
    }

    /** FROZEN (default, as torchvision with pretrained weights: BN folded into convs) or TRAINABLE. */
    public TorchvisionModelImport batchNormMode(BatchNormMode mode) {
        batchNormMode = mode;
        return this;
    }

    /** Overrides the BatchNorm eps recorded in the file. */
    public TorchvisionModelImport bnEps(double eps) {
        bnEps = eps;
        return this;
    }

    /** Network input size of the model (multiples of 128); default 512x512. */
    public TorchvisionModelImport inputSize(int height, int w) {
        inputHeight = height;
        inputWidth = w;
        return this;
    }

    /** FPN and head width; default: read from the file (torchvision: 256; 256 for a backbone-only import). */
    public TorchvisionModelImport width(int channels) {
        width = channels;
        return this;
    }

    /**
     * torchvision's trainable_backbone_layers (0..5) of the model; default 3 with FROZEN BatchNorm (as
     * torchvision with pretrained weights) and 5 with TRAINABLE BatchNorm (the graph cannot freeze residual stages
     * that hold DL4J BatchNormalization layers).
     */
    public TorchvisionModelImport trainableBackboneLayers(int layers) {
        trainableBackboneLayers = layers;
        return this;
    }

    /** Class names (index = class); default COCO's for 91 classes, else {@code class_<i>}. */
    public TorchvisionModelImport classNames(List<String> names) {
        classNames = List.copyOf(names);
        return this;
    }

    /** Reads, builds, imports; throws {@link WeightImportException} naming the first tensor that does not fit. */
    public SavedModel run() throws IOException {
        TorchvisionStateDict state = TorchvisionStateDict.read(weights);
        RetinaNetSpec s = spec != null ? checkedGivenSpec() : describedSpec(state);
        ComputationGraph graph = RetinaNet.from(s).build().init();
        ImportSummary summary = StateDictLoader.load(graph, state, new ImportOptions(bnEps, backboneOnly));
        int k = s.numClasses();
        List<String> names = classNames != null ? classNames : defaultNames(k);
        if (names.size() != k) {
            throw new IllegalArgumentException(weights + ": " + names.size() + " class names for " + k + " classes");
        }
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = i; // torchvision's label indices are the category ids (COCO: 1..90, gaps unused)
        }
        ModelMetadata meta = ModelMetadata.of(s, names, ids)
                .withProperty("import.source", weights.getFileName().toString())
                .withProperty("import.arch", String.valueOf(state.arch()))
                .withProperty("import.bnEps", Double.toString(summary.bnEps()))
                .withProperty("import.tensors", Integer.toString(summary.tensorsImported()))
                .withProperty("import.backboneOnly", Boolean.toString(backboneOnly));
        return new SavedModel(graph, meta);
    }

    private RetinaNetSpec checkedGivenSpec() {
        if (numClasses != null || batchNormMode != null || inputHeight != null || width != null
                || trainableBackboneLayers != null) {
            throw new IllegalArgumentException(weights + ": give either a spec or the settings numClasses, "
                    + "batchNormMode, inputSize, width and trainableBackboneLayers, not both");
        }
        return spec;
    }

    /** torchvision's RetinaNet as the file describes it, with this import's settings. */
    private RetinaNetSpec describedSpec(TorchvisionStateDict state) {
        int k = numClasses != null ? numClasses
                : classNames != null ? classNames.size()
                : state.numClasses() != null ? state.numClasses() : CocoLabels.NUM_CLASSES;
        int channels = width != null ? width : widthOf(state);
        BatchNormMode bn = batchNormMode != null ? batchNormMode : BatchNormMode.FROZEN;
        return RetinaNetSpec.builder().numClasses(k).backbone(depthOf(state)).fpnWidth(channels)
                .headWidth(channels).headDepth(backboneOnly ? 4 : headDepthOf(state)).batchNormMode(bn)
                .trainableBackboneLayers(trainableBackboneLayers != null ? trainableBackboneLayers
                        : bn == BatchNormMode.FROZEN ? 3 : 5)
                .inputSize(inputHeight != null ? inputHeight : 512, inputWidth != null ? inputWidth : 512).build();
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
