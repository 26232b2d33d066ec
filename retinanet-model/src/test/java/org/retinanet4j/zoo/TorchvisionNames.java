package org.retinanet4j.zoo;

/**
 * torchvision state_dict key -> this graph's parameter key (trainable-BN layout), as documented on
 * ResNetBackbone, FeaturePyramid and SharedConvHeadVertex.
 */
final class TorchvisionNames {
    private TorchvisionNames() {
    }

    static String dl4jKey(String tv) {
        String k = tv;
        if (k.startsWith("backbone.body.")) {
            k = k.substring("backbone.body.".length());
        } else if (k.startsWith("backbone.fpn.")) {
            k = "fpn." + k.substring("backbone.fpn.".length()).replace(".0.weight", ".weight")
                    .replace(".0.bias", ".bias");
        } else if (k.startsWith("head.")) {
            return headKey(k);
        }
        int dot = k.lastIndexOf('.');
        String module = k.substring(0, dot).replace('.', '_');
        String field = k.substring(dot + 1);
        boolean bn = isBatchNorm(tv);
        String suffix = switch (field) {
            case "weight" -> bn ? "gamma" : "W";
            case "bias" -> bn ? "beta" : "b";
            case "running_mean" -> "mean";
            case "running_var" -> "log10stdev";
            default -> throw new IllegalArgumentException("unexpected torchvision tensor " + tv);
        };
        return module + "_" + suffix;
    }

    /** head.classification_head.conv.1.0.weight -> cls_head_conv1W; ...cls_logits.bias -> cls_head_clsLogitsb. */
    private static String headKey(String tv) {
        String vertex = tv.startsWith("head.classification_head.") ? "cls_head" : "box_head";
        String rest = tv.substring(tv.indexOf('.', "head.".length()) + 1);
        String field = rest.endsWith(".weight") ? "W" : "b";
        String module = rest.substring(0, rest.lastIndexOf('.'));
        String key;
        if (module.startsWith("conv.")) {
            key = "conv" + module.split("\\.")[1];
        } else if (module.equals("cls_logits")) {
            key = "clsLogits";
        } else if (module.equals("bbox_reg")) {
            key = "bboxReg";
        } else {
            throw new IllegalArgumentException("unexpected head tensor " + tv);
        }
        return vertex + "_" + key + field;
    }

    static boolean isBatchNorm(String tv) {
        return tv.startsWith("backbone.body.") && (tv.contains(".bn") || tv.startsWith("backbone.body.bn")
                || tv.contains("downsample.1."));
    }

    /** Shape DL4J holds: convs identical, head convs [kH, kW, cIn, cOut]; 1-D tensors compared by length. */
    static long[] expectedDl4jShape(String tv, long[] tvShape) {
        if (tvShape.length == 4 && tv.startsWith("head.")) {
            return new long[]{tvShape[2], tvShape[3], tvShape[1], tvShape[0]};
        }
        return tvShape;
    }
}
