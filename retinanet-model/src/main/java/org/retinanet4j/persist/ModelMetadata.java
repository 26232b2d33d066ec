package org.retinanet4j.persist;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What inference needs besides the weights: class names with the dataset's original category ids (index i of both
 * lists belongs to contiguous label i), the network input size, the normalisation, the anchor and decoder settings,
 * and a human-readable architecture summary. Free-form extra facts go into {@code properties}.
 */
public record ModelMetadata(List<String> classNames, int[] categoryIds, int inputHeight, int inputWidth,
                            float[] mean, float[] std, AnchorSettings anchors, DecoderSettings decoder,
                            String architecture, Map<String, String> properties) {

    /** torchvision's ImageNet normalisation, the project's only one (see ImageNormalization). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public ModelMetadata {
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one class");
        }
        if (categoryIds.length != classNames.size()) {
            throw new IllegalArgumentException("category ids (" + categoryIds.length + ") and class names ("
                    + classNames.size() + ") differ in number");
        }
        if (inputHeight <= 0 || inputWidth <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + inputHeight + "x" + inputWidth);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        }
        categoryIds = categoryIds.clone();
        mean = mean.clone();
        std = std.clone();
        architecture = architecture == null ? "" : architecture;
        properties = Map.copyOf(properties == null ? Map.of() : properties);
    }

    /** Metadata with the project's defaults for everything but classes, size and architecture. */
    public static ModelMetadata of(List<String> classNames, int[] categoryIds, int inputHeight, int inputWidth,
                                   String architecture) {
        return new ModelMetadata(classNames, categoryIds, inputHeight, inputWidth, IMAGENET_MEAN, IMAGENET_STD,
                AnchorSettings.torchvisionDefault(), DecoderSettings.paperDefault(), architecture, Map.of());
    }

    public int numClasses() {
        return classNames.size();
    }

    public ModelMetadata withProperty(String key, String value) {
        Map<String, String> p = new TreeMap<>(properties);
        p.put(key, value);
        return new ModelMetadata(classNames, categoryIds, inputHeight, inputWidth, mean, std, anchors, decoder,
                architecture, p);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelMetadata m && classNames.equals(m.classNames)
                && Arrays.equals(categoryIds, m.categoryIds) && inputHeight == m.inputHeight
                && inputWidth == m.inputWidth && Arrays.equals(mean, m.mean) && Arrays.equals(std, m.std)
                && anchors.equals(m.anchors) && decoder.equals(m.decoder) && architecture.equals(m.architecture)
                && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return classNames.hashCode() * 31 + Arrays.hashCode(categoryIds) * 17 + inputHeight * 7 + inputWidth
                + architecture.hashCode();
    }

    @Override
    public String toString() {
        return "ModelMetadata[" + classNames.size() + " classes " + classNames + ", input " + inputHeight + "x"
                + inputWidth + ", " + architecture + "]";
    }
}
