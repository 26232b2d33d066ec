package org.retinanet4j.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns on DL4J's oneDNN layer helpers (convolution, batch norm, pooling), which DL4J 1.0.0-M2.1 leaves off.
 *
 * <p>Two things keep them off in M2.1: {@code HelperUtils} treats the system property
 * {@value #DISABLE_PROPERTY} as {@code true} unless it is exactly {@code "false"}, and the availability check
 * looks for a class M2.1 no longer ships (supplied by {@link org.nd4j.nativeblas.Nd4jCpu}). With both fixed,
 * convolutions run several times faster on the CPU (docs/benchmarks.md) and give the same results to float rounding.
 *
 * <p>A user who wants the plain path sets {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}; that choice
 * is respected because {@link #enable()} only fills in the property when it is unset.
 */
public final class OneDnnHelpers {
    public static final String DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    private static final Logger log = LoggerFactory.getLogger(OneDnnHelpers.class);

    private OneDnnHelpers() {
    }

    /** Allows helper creation unless the user decided otherwise; call before the first layer is built. */
    public static void enable() {
        if (System.getProperty(DISABLE_PROPERTY) == null) {
            System.setProperty(DISABLE_PROPERTY, "false");
            log.debug("DL4J layer helpers enabled ({}=false)", DISABLE_PROPERTY);
        }
    }

    /** True when helpers are allowed and the loaded native build has oneDNN switched on. */
    public static boolean active() {
        return "false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY))
                && org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
    }
}
