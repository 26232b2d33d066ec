package org.retinanet4j.torchvision;

/** How a torchvision tensor's layout is rearranged to the graph parameter's layout. */
public enum ParamLayout {
    /** Same layout (DL4J ConvolutionLayer weights are [out, in, kH, kW] like torch's; biases are vectors). */
    SAME,
    /** torch conv weight [out, in, kH, kW] to SameDiff conv2d weight [kH, kW, in, out]. */
    OIHW_TO_HWIO
}
