package org.retinanet4j.torchvision;

/**
 * Settings of a torchvision weight import.
 *
 * @param bnEps        BatchNorm eps to use; null takes the eps recorded in the file's {@code __meta__} (and
 *                     fails if there is none). torchvision's COCO RetinaNet runs with 0, everything else 1e-5.
 * @param backboneOnly fill only the ResNet body (C3..C5); FPN and heads keep their initial values. The file may
 *                     then be a ResNet classifier ({@code conv1.weight}, ...; its {@code fc.*} is skipped) or a
 *                     RetinaNet (its {@code backbone.fpn.*} and {@code head.*} are skipped); skips are logged and
 *                     counted.
 */
public record ImportOptions(Double bnEps, boolean backboneOnly) {

    /** Full RetinaNet import with the eps recorded in the file. */
    public static ImportOptions defaults() {
        return new ImportOptions(null, false);
    }

    /** Backbone-only import with the eps recorded in the file. */
    public static ImportOptions backbone() {
        return new ImportOptions(null, true);
    }

    public ImportOptions withBnEps(double eps) {
        return new ImportOptions(eps, backboneOnly);
    }
}
