package org.retinanet4j.persist;

import com.fasterxml.jackson.databind.JsonNode;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.spec.RetinaNetSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads model metadata of format {@value #FORMAT}, which model files written before the {@link RetinaNetSpec}
 * existed carry ({@code train}, {@code demo}, {@code import-torchvision}): class names and ids, input size,
 * mean/std, anchor and decoder settings, and only a free-text architecture. The architecture is therefore
 * recovered from the graph's DL4J configuration (layer names, widths, frozen wrappers, head and loss settings):
 * this class is the one place that infers a spec from a graph. The free text is kept as the property
 * {@value #ARCHITECTURE_PROPERTY}.
 */
final class Format1Metadata {
    static final String FORMAT = "retinanet4j-model/1";
    static final String ARCHITECTURE_PROPERTY = "format1.architecture";

    private Format1Metadata() {
    }

    static ModelMetadata read(JsonNode meta, JsonNode graph, String source) throws IOException {
        try {
            List<String> names = strings(required(meta, "classNames", source));
            int[] ids = ints(required(meta, "categoryIds", source));
            ImageNormalization normalization = new ImageNormalization(
                    floats(meta.get("mean"), ImageNormalization.IMAGENET.mean()),
                    floats(meta.get("std"), ImageNormalization.IMAGENET.std()));
            AnchorConfig anchors = anchors(meta.get("anchors"));
            RetinaNetSpec spec = architecture(graph, source)
                    .numClasses(names.size())
                    .inputSize(required(meta, "inputHeight", source).asInt(), required(meta, "inputWidth", source).asInt())
                    .normalization(normalization)
                    .anchors(anchors)
                    .decoder(decoder(meta.get("decoder")))
                    .build();
            JsonNode heads = vertex(graph, "cls_head", source);
            check(heads.path("numAnchors").asInt() == anchors.anchorsPerLocation(), source, "the metadata's anchors "
                    + "give " + anchors.anchorsPerLocation() + " per location, the graph's heads predict "
                    + heads.path("numAnchors").asInt());
            check(heads.path("outputsPerAnchor").asInt() == names.size(), source, names.size() + " class names, "
                    + "the graph's classification head predicts " + heads.path("outputsPerAnchor").asInt());
            Map<String, String> props = new TreeMap<>();
            meta.path("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
            String text = meta.path("architecture").asText("");
            if (!text.isEmpty()) {
                props.put(ARCHITECTURE_PROPERTY, text);
            }
            return new ModelMetadata(spec, names, ids, props);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": invalid " + FORMAT + " metadata: " + e.getMessage(), e);
        }
    }

    /** Backbone, FPN, heads and losses as the graph configuration has them. */
    private static RetinaNetSpec.Builder architecture(JsonNode graph, String source) throws IOException {
        JsonNode vertices = graph.path("vertices");
        int[] blocks = new int[4];
        for (Iterator<String> it = vertices.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            for (int s = 0; s < 4; s++) {
                String prefix = "layer" + (s + 1) + "_";
                if (name.startsWith(prefix) && name.endsWith("_conv1")) {
                    String block = name.substring(prefix.length(), name.length() - "_conv1".length());
                    if (block.chars().allMatch(Character::isDigit)) {
                        blocks[s] = Math.max(blocks[s], Integer.parseInt(block) + 1);
                    }
                }
            }
        }
        ResNetDepth depth = depthOf(blocks, vertices.has("layer1_0_conv3"), source);
        int frozenStages = 0;
        while (frozenStages < 5 && isFrozen(vertex(graph, frozenStages == 0 ? "conv1" : "layer" + frozenStages
                + "_0_conv1", source))) {
            frozenStages++;
        }
        JsonNode cls = vertex(graph, "cls_head", source);
        double bias = cls.path("predictorBiasInit").asDouble(-Math.log(99));
        JsonNode focal = layer(vertex(graph, "cls", source)).path("lossFn");
        JsonNode boxLoss = layer(vertex(graph, "box", source)).path("lossFn");
        JsonNode p6Input = graph.path("vertexInputs").path("fpn_extra_blocks_p6").path(0);
        return RetinaNetSpec.builder()
                .backbone(depth)
                .batchNormMode(vertices.has("bn1") ? BatchNormMode.TRAINABLE : BatchNormMode.FROZEN)
                .trainableBackboneLayers(5 - frozenStages)
                .fpnWidth(layer(vertex(graph, "fpn_inner_blocks_0", source)).path("nout").asInt())
                .p6Source("fpn_layer_blocks_2".equals(p6Input.asText()) ? P6Source.P5 : P6Source.C5)
                .headWidth(cls.path("width").asInt())
                .headDepth(cls.path("depth").asInt())
                .priorProbability(1 / (1 + Math.exp(-bias)))
                .focalAlpha(focal.path("alpha").asDouble(0.25))
                .focalGamma(focal.path("gamma").asDouble(2.0))
                .boxLossType(BoxRegressionLoss.Type.valueOf(boxLoss.path("type").asText("L1")));
    }

    private static ResNetDepth depthOf(int[] blocks, boolean bottleneck, String source) throws IOException {
        for (ResNetDepth d : ResNetDepth.values()) {
            if (d.bottleneck() == bottleneck && d.blocks(0) == blocks[0] && d.blocks(1) == blocks[1]
                    && d.blocks(2) == blocks[2] && d.blocks(3) == blocks[3]) {
                return d;
            }
        }
        throw new IOException(source + ": the graph's backbone (" + java.util.Arrays.toString(blocks)
                + " blocks per stage) is not a torchvision ResNet");
    }

    private static JsonNode vertex(JsonNode graph, String name, String source) throws IOException {
        JsonNode v = graph.path("vertices").get(name);
        if (v == null) {
            throw new IOException(source + ": the graph configuration has no vertex '" + name + "': not a RetinaNet "
                    + "of this project");
        }
        return v;
    }

    /** The layer configuration of a layer vertex, inside a frozen wrapper if any. */
    private static JsonNode layer(JsonNode vertex) {
        JsonNode layer = vertex.path("layerConf").path("layer");
        if (layer.has("underlying")) {
            return layer.get("underlying");
        }
        return isFrozen(vertex) && layer.has("layer") ? layer.get("layer") : layer;
    }

    private static boolean isFrozen(JsonNode vertex) {
        return vertex.path("layerConf").path("layer").path("@class").asText().contains(".Frozen");
    }

    private static AnchorConfig anchors(JsonNode a) {
        if (a == null) {
            return AnchorConfig.torchvisionDefault();
        }
        return new AnchorConfig(ints(a.get("sizes")), doubles(a.get("scales")), doubles(a.get("aspectRatios")),
                RetinaNetSpec.FIRST_LEVEL);
    }

    private static DecoderConfig decoder(JsonNode d) {
        DecoderConfig t = DecoderConfig.torchvisionDefault();
        if (d == null) {
            return t;
        }
        return new DecoderConfig(d.path("scoreThreshold").asDouble(t.scoreThreshold()),
                d.path("topKPerLevel").asInt(t.topKCandidates()),
                d.path("nmsIouThreshold").asDouble(t.nmsIouThreshold()),
                d.path("detectionsPerImage").asInt(t.detectionsPerImage()));
    }

    private static JsonNode required(JsonNode meta, String field, String source) throws IOException {
        JsonNode v = meta.get(field);
        if (v == null || v.isNull()) {
            throw new IOException(source + ": metadata field '" + field + "' is missing");
        }
        return v;
    }

    private static void check(boolean ok, String source, String message) throws IOException {
        if (!ok) {
            throw new IOException(source + ": " + message);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int[] ints(JsonNode array) {
        if (array == null) {
            throw new IllegalArgumentException("anchor sizes are missing");
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static double[] doubles(JsonNode array) {
        if (array == null) {
            throw new IllegalArgumentException("anchor scales or aspect ratios are missing");
        }
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static float[] floats(JsonNode array, float[] fallback) {
        if (array == null) {
            return fallback;
        }
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
