package org.retinanet4j.onednn;

/**
 * One 2-D convolution as oneDNN sees it: input {@code [n, cIn, h, w]} (NCHW), weights in {@code layout}, symmetric
 * zero padding as in DL4J's {@code Truncate} mode (the output size rounds down),
 * dilation 1 for none. The key of the primitives built for it.
 *
 * @param relu          a ReLU applied to the output (fused into the forward pass)
 * @param inputGradient whether backward computes the input gradient (not for a layer fed by the network input)
 */
public record ConvolutionGeometry(long n, long cIn, long h, long w, long cOut, int kH, int kW, int sH, int sW,
                                  int pH, int pW, int dH, int dW, WeightLayout layout, boolean bias, boolean relu,
                                  boolean inputGradient) {

    public long outH() {
        return (h + 2L * pH - ((long) dH * (kH - 1) + 1)) / sH + 1;
    }

    public long outW() {
        return (w + 2L * pW - ((long) dW * (kW - 1) + 1)) / sW + 1;
    }

    long[] src() {
        return new long[]{n, cIn, h, w};
    }

    /** oneDNN's logical order of the weights' dimensions, whatever their layout. */
    long[] weights() {
        return new long[]{cOut, cIn, kH, kW};
    }

    long[] dst() {
        return new long[]{n, cOut, outH(), outW()};
    }

    long[] strides() {
        return new long[]{sH, sW};
    }

    /** oneDNN counts dilation from 0 (no holes). */
    long[] dilation() {
        return new long[]{dH - 1, dW - 1};
    }

    /** The same before and after, as in DL4J: oneDNN, like DL4J, leaves rows past the last window unused. */
    long[] padding() {
        return new long[]{pH, pW};
    }
}
