package org.retinanet4j.onednn;

import static org.bytedeco.dnnl.global.dnnl.dnnl_hwio;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;

/** How a convolution's weights lie in memory. */
public enum WeightLayout {
    /** {@code [cOut, cIn, kH, kW]}: DL4J's {@code ConvolutionLayer}. */
    OIHW(dnnl_oihw),
    /** {@code [kH, kW, cIn, cOut]}: the shared heads' SameDiff parameters (YXIO). */
    HWIO(dnnl_hwio);

    private final int tag;

    WeightLayout(int tag) {
        this.tag = tag;
    }

    int tag() {
        return tag;
    }
}
