package org.retinanet4j.persist;

import org.retinanet4j.spec.RetinaNetSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a saved model carries besides its weights: its {@link RetinaNetSpec} (architecture, anchors, input size and
 * normalisation, decoder settings), the class names with the dataset's original category ids (index i of both
 * lists belongs to class index i), and free-form facts in {@code properties} (where it was imported from, ...).
 */
public record ModelMetadata(RetinaNetSpec spec, List<String> classNames, int[] categoryIds,
                            Map<String, String> properties) {

    public ModelMetadata {
        if (spec == null) {
            throw new IllegalArgumentException("model metadata needs the model's spec");
        }
        classNames = List.copyOf(classNames);
        if (classNames.size() != spec.numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for a model of "
                    + spec.numClasses() + " classes");
        }
        if (categoryIds.length != classNames.size()) {
            throw new IllegalArgumentException("category ids (" + categoryIds.length + ") and class names ("
                    + classNames.size() + ") differ in number");
        }
        categoryIds = categoryIds.clone();
        properties = Map.copyOf(properties == null ? Map.of() : properties);
    }

    /** Metadata without extra properties. */
    public static ModelMetadata of(RetinaNetSpec spec, List<String> classNames, int[] categoryIds) {
        return new ModelMetadata(spec, classNames, categoryIds, Map.of());
    }

    public int numClasses() {
        return classNames.size();
    }

    @Override
    public int[] categoryIds() {
        return categoryIds.clone();
    }

    public ModelMetadata withProperty(String key, String value) {
        Map<String, String> p = new TreeMap<>(properties);
        p.put(key, value);
        return new ModelMetadata(spec, classNames, categoryIds, p);
    }

    /** The same classes and properties for another spec of the same class count. */
    public ModelMetadata withSpec(RetinaNetSpec other) {
        return new ModelMetadata(other, classNames, categoryIds, properties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelMetadata m && spec.equals(m.spec) && classNames.equals(m.classNames)
                && Arrays.equals(categoryIds, m.categoryIds) && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return (spec.hashCode() * 31 + classNames.hashCode()) * 31 + Arrays.hashCode(categoryIds);
    }

    @Override
    public String toString() {
        return "ModelMetadata[" + classNames.size() + " classes " + classNames + ", " + spec.summary() + "]";
    }
}
