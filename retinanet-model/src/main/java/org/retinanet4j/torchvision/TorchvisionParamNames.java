package org.retinanet4j.torchvision;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision {@code state_dict} names -&gt; this project's graph parameter keys ({@code <layer>_<param>}), following
 * the naming of {@code ResNetBackbone}, {@code FeaturePyramid} and {@code SharedConvHeadVertex}: torchvision
 * module paths with '.' replaced by '_', the {@code backbone.body.} prefix dropped, {@code backbone.fpn.} -&gt;
 * {@code fpn_}, the heads -&gt; vertices {@code cls_head} / {@code box_head}, and the {@code .0} of
 * {@code Conv2dNormActivation} wrappers dropped. Names outside torchvision's RetinaNet/ResNet layout match nothing.
 */
public final class TorchvisionParamNames {

    /** Graph vertex of the classification subnet (torchvision {@code head.classification_head}). */
    public static final String CLS_HEAD = "cls_head";
    /** Graph vertex of the box subnet (torchvision {@code head.regression_head}). */
    public static final String BOX_HEAD = "box_head";
    /** Classification predictor parameters: {@code CLS_PREDICTOR + "W"} and {@code + "b"}. */
    public static final String CLS_PREDICTOR = CLS_HEAD + "_clsLogits";
    /** Box predictor parameters: {@code BOX_PREDICTOR + "W"} and {@code + "b"}. */
    public static final String BOX_PREDICTOR = BOX_HEAD + "_bboxReg";
    /** Prefix torchvision puts in front of the ResNet body inside a RetinaNet. */
    public static final String BODY_PREFIX = "backbone.body.";

    private static final Pattern BACKBONE_CONV =
            Pattern.compile("backbone\\.body\\.(conv1|layer\\d+\\.\\d+\\.(?:conv\\d|downsample\\.0))\\.weight");
    private static final Pattern BACKBONE_BN = Pattern.compile(
            "backbone\\.body\\.(bn1|layer\\d+\\.\\d+\\.(?:bn\\d|downsample\\.1))\\.(weight|bias|running_mean|running_var)");
    private static final Pattern FPN_BLOCK =
            Pattern.compile("backbone\\.fpn\\.(inner_blocks|layer_blocks)\\.(\\d+)\\.0\\.(weight|bias)");
    private static final Pattern FPN_EXTRA = Pattern.compile("backbone\\.fpn\\.extra_blocks\\.(p6|p7)\\.(weight|bias)");
    private static final Pattern HEAD_CONV =
            Pattern.compile("head\\.(classification|regression)_head\\.conv\\.(\\d+)\\.0\\.(weight|bias)");
    private static final Pattern HEAD_PREDICTOR =
            Pattern.compile("head\\.(classification_head\\.cls_logits|regression_head\\.bbox_reg)\\.(weight|bias)");
    private static final Pattern LEGACY_HEAD = Pattern.compile("(cls_head|box_head)_(conv)(\\d+)(W|b)");
    private static final Pattern BACKBONE_LAYER =
            Pattern.compile("(conv1|bn1|layer\\d+_\\d+_\\w+?)_(W|b|gamma|beta|mean|log10stdev)");

    private TorchvisionParamNames() {
    }

    /** A graph parameter key and how the torchvision tensor's layout maps onto it. */
    public record Target(String graphKey, ParamLayout layout) {
    }

    /** A BatchNorm tensor: the graph's BN layer, the DL4J parameter it feeds and the conv it folds into. */
    public record BatchNormTarget(String module, String field, String bnLayer, String foldedConv) {
    }

    /** The target of a non-BatchNorm tensor, or null when the name is not part of torchvision's layout. */
    public static Target target(String tv) {
        Matcher m = BACKBONE_CONV.matcher(tv);
        if (m.matches()) {
            return new Target(layer(m.group(1)) + "_W", ParamLayout.SAME);
        }
        m = FPN_BLOCK.matcher(tv);
        if (m.matches()) {
            return new Target("fpn_" + m.group(1) + "_" + m.group(2) + suffix(m.group(3)), ParamLayout.SAME);
        }
        m = FPN_EXTRA.matcher(tv);
        if (m.matches()) {
            return new Target("fpn_extra_blocks_" + m.group(1) + suffix(m.group(2)), ParamLayout.SAME);
        }
        m = HEAD_CONV.matcher(tv);
        if (m.matches()) {
            String vertex = m.group(1).equals("classification") ? CLS_HEAD : BOX_HEAD;
            return new Target(vertex + "_conv" + m.group(2) + headSuffix(m.group(3)), headLayout(m.group(3)));
        }
        m = HEAD_PREDICTOR.matcher(tv);
        if (m.matches()) {
            String key = m.group(1).startsWith("classification") ? CLS_PREDICTOR : BOX_PREDICTOR;
            return new Target(key + headSuffix(m.group(2)), headLayout(m.group(2)));
        }
        return null;
    }

    /** The BatchNorm description of a tensor, or null when it is not a backbone BatchNorm tensor. */
    public static BatchNormTarget batchNorm(String tv) {
        Matcher m = BACKBONE_BN.matcher(tv);
        if (!m.matches()) {
            return null;
        }
        String module = m.group(1);
        String conv = module.equals("bn1") ? "conv1"
                : module.endsWith("downsample.1") ? module.substring(0, module.length() - 1) + "0"
                : module.replaceFirst("bn(\\d)$", "conv$1");
        return new BatchNormTarget(BODY_PREFIX + module, m.group(2), layer(module), layer(conv));
    }

    /** DL4J BatchNormalization parameter fed by a torchvision BN field. */
    public static String dl4jBatchNormParam(String field) {
        return switch (field) {
            case "weight" -> "gamma";
            case "bias" -> "beta";
            case "running_mean" -> "mean";
            case "running_var" -> "log10stdev";
            default -> throw new IllegalArgumentException("not a BatchNorm field: " + field);
        };
    }

    /** Whether a graph parameter belongs to the ResNet body (what a backbone-only import fills). */
    public static boolean isBackboneParam(String graphKey) {
        return BACKBONE_LAYER.matcher(graphKey).matches();
    }

    /**
     * The same parameter under the head key style of the graph branch before keys lost their '_'
     * ({@code cls_head_conv_0_W}, {@code cls_head_cls_logits_W}, {@code box_head_bbox_reg_W}); null when the key is
     * not a head key. The importer falls back to it so that graphs saved with either style import.
     */
    public static String legacyHeadKey(String key) {
        Matcher m = LEGACY_HEAD.matcher(key);
        if (m.matches()) {
            return m.group(1) + "_conv_" + m.group(3) + "_" + m.group(4);
        }
        if (key.startsWith(CLS_PREDICTOR)) {
            return CLS_HEAD + "_cls_logits_" + key.substring(CLS_PREDICTOR.length());
        }
        if (key.startsWith(BOX_PREDICTOR)) {
            return BOX_HEAD + "_bbox_reg_" + key.substring(BOX_PREDICTOR.length());
        }
        return null;
    }

    /** torchvision's name for a graph parameter (best effort, for error messages and the exporter). */
    public static String torchvisionName(String graphKey) {
        if (graphKey.startsWith(CLS_HEAD + "_") || graphKey.startsWith(BOX_HEAD + "_")) {
            return headTorchvisionName(graphKey);
        }
        int cut = graphKey.lastIndexOf('_');
        String layer = graphKey.substring(0, cut);
        String field = switch (graphKey.substring(cut + 1)) {
            case "W", "gamma" -> "weight";
            case "b", "beta" -> "bias";
            case "mean" -> "running_mean";
            case "log10stdev" -> "running_var";
            default -> graphKey.substring(cut + 1);
        };
        if (layer.startsWith("fpn_extra_blocks_")) {
            return "backbone.fpn.extra_blocks." + layer.substring("fpn_extra_blocks_".length()) + "." + field;
        }
        if (layer.startsWith("fpn_")) {
            int i = layer.lastIndexOf('_');
            return "backbone.fpn." + layer.substring(4, i) + "." + layer.substring(i + 1) + ".0." + field;
        }
        return BODY_PREFIX + layer.replaceAll("^layer(\\d+)_(\\d+)_", "layer$1.$2.")
                .replace(".downsample_", ".downsample.") + "." + field;
    }

    private static String headTorchvisionName(String graphKey) {
        boolean cls = graphKey.startsWith(CLS_HEAD);
        String head = cls ? "head.classification_head." : "head.regression_head.";
        String rest = graphKey.substring(CLS_HEAD.length() + 1).replace("_", "");  // both key styles
        String field = rest.endsWith("W") ? "weight" : "bias";
        String module = rest.substring(0, rest.length() - 1);
        if (module.startsWith("conv")) {
            return head + "conv." + module.substring(4) + ".0." + field;
        }
        return head + (cls ? "cls_logits." : "bbox_reg.") + field;
    }

    private static String layer(String module) {
        return module.replace('.', '_');
    }

    private static String suffix(String field) {
        return field.equals("weight") ? "_W" : "_b";
    }

    private static String headSuffix(String field) {
        return field.equals("weight") ? "W" : "b";
    }

    private static ParamLayout headLayout(String field) {
        return field.equals("weight") ? ParamLayout.OIHW_TO_HWIO : ParamLayout.SAME;
    }
}
