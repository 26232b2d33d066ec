package org.retinanet4j.torchvision;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a torchvision state dict's names and shapes tell when no exporter recorded it (a {@code .pth} file): the
 * architecture (RetinaNet or ResNet classifier, and the ResNet depth), the class count, the BatchNorm eps
 * torchvision runs those weights with; and the renaming of torchvision's pre-0.13 layout, as torchvision's own
 * {@code _load_from_state_dict} does when it loads an old file.
 */
final class StateDictLayout {

    /** Pre-0.13 torchvision: FPN and head convolutions were plain Conv2d, not Conv2dNormActivation. */
    private static final Pattern OLD_CONV = Pattern.compile(
            "(backbone\\.fpn\\.(?:inner|layer)_blocks\\.\\d+|head\\.(?:classification|regression)_head\\.conv\\.\\d+)"
                    + "\\.(weight|bias)");
    private static final Pattern LAYER3_BLOCK = Pattern.compile("(?:backbone\\.body\\.)?layer3\\.(\\d+)\\.conv1\\.weight");

    private StateDictLayout() {
    }

    /** The tensors with pre-0.13 names moved to torchvision 0.13+'s ({@code conv.0.weight -> conv.0.0.weight}). */
    static Map<String, INDArray> upgradeOldNames(Map<String, INDArray> tensors) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            Matcher m = OLD_CONV.matcher(e.getKey());
            out.put(m.matches() ? m.group(1) + ".0." + m.group(2) : e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * "retinanet_resnet&lt;depth&gt;_fpn" for a RetinaNet, "resnet&lt;depth&gt;" for a ResNet classifier, null when the
     * names are neither (the importer then names the first tensor that does not fit).
     */
    static String architecture(Map<String, INDArray> tensors) {
        boolean retinanet = tensors.containsKey("backbone.body.conv1.weight");
        if (!retinanet && !tensors.containsKey("conv1.weight")) {
            return null;
        }
        String prefix = retinanet ? "backbone.body." : "";
        int blocks = 0;
        for (String name : tensors.keySet()) {
            Matcher m = LAYER3_BLOCK.matcher(name);
            if (m.matches() && name.startsWith(prefix)) {
                blocks = Math.max(blocks, Integer.parseInt(m.group(1)) + 1);
            }
        }
        boolean bottleneck = tensors.containsKey(prefix + "layer1.0.conv3.weight");
        Integer depth = switch (blocks) {
            case 2 -> bottleneck ? null : 18;
            case 6 -> bottleneck ? 50 : 34;
            case 23 -> bottleneck ? 101 : null;
            case 36 -> bottleneck ? 152 : null;
            default -> null;
        };
        if (depth == null) {
            return null;
        }
        return retinanet ? "retinanet_resnet" + depth + "_fpn" : "resnet" + depth;
    }

    /** Classes of a RetinaNet's classification head (logit channels / anchors per location), or null. */
    static Integer numClasses(Map<String, INDArray> tensors) {
        INDArray cls = tensors.get("head.classification_head.cls_logits.bias");
        INDArray box = tensors.get("head.regression_head.bbox_reg.bias");
        if (cls == null || box == null || box.length() % 4 != 0 || box.length() == 0) {
            return null;
        }
        long anchors = box.length() / 4;
        return cls.length() % anchors == 0 ? (int) (cls.length() / anchors) : null;
    }

    /**
     * The BatchNorm eps torchvision runs these weights with: 0 for its COCO RetinaNet (ResNet-50, 91 classes;
     * torchvision's builder calls {@code overwrite_eps(model, 0.0)} for them), otherwise BatchNorm's default 1e-5.
     */
    static double defaultBnEps(String architecture, Integer numClasses) {
        boolean cocoDetector = "retinanet_resnet50_fpn".equals(architecture)
                && numClasses != null && numClasses == CocoLabels.NUM_CLASSES;
        return cocoDetector ? 0.0 : TorchvisionStateDict.DEFAULT_BN_EPS;
    }
}
