package org.retinanet4j.cli;

import org.retinanet4j.anchors.AnchorConfig;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The {@code --anchor-sizes S3,S4,S5,S6,S7} option of {@code train} and {@code dataset-info}: the five base anchor
 * sizes (pixels at the input size), one per level P3..P7, with torchvision's three scales and three aspect ratios.
 */
final class AnchorSizes {

    static final String OPTION = "--anchor-sizes";
    static final String DESCRIPTION = "base anchor sizes in pixels at the input size, one per level P3..P7 "
            + "(default 32,64,128,256,512, torchvision's; check the fit with dataset-info --size S --anchor-sizes ...)";

    private AnchorSizes() {
    }

    /** The anchors for {@code sizes}, or torchvision's when null; a clear error naming the option otherwise. */
    static AnchorConfig config(int[] sizes) {
        AnchorConfig torchvision = AnchorConfig.torchvisionDefault();
        if (sizes == null) {
            return torchvision;
        }
        String given = Arrays.stream(sizes).mapToObj(String::valueOf).collect(Collectors.joining(","));
        if (sizes.length != torchvision.numLevels()) {
            throw new IllegalArgumentException(OPTION + " " + given + ": " + torchvision.numLevels()
                    + " sizes are needed, one per level P3..P7 (got " + sizes.length + ")");
        }
        for (int i = 1; i < sizes.length; i++) {
            if (sizes[i] <= sizes[i - 1]) {
                throw new IllegalArgumentException(OPTION + " " + given + ": sizes must grow from P3 to P7 (each "
                        + "level has half the resolution of the one before)");
            }
        }
        try {
            return torchvision.withBaseSizes(sizes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(OPTION + " " + given + ": " + e.getMessage(), e);
        }
    }
}
