package org.retinanet4j.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Batch normalisation of float NCHW arrays in as few passes over memory as the arithmetic allows, on all cores:
 * statistics in one pass (shifted sums, see {@link #statistics}), the normalisation with its fused ReLU in one,
 * and the backward pass in two (the sums of {@code dY} and of {@code dY (x - mean)} with the ReLU mask recomputed
 * from {@code x} on the fly, then {@code dX}). An array {@code [N, C, H, W]} is read
 * as {@code N*C} rows of {@code H*W} pixels; sums are accumulated in double precision.
 */
final class BatchNormKernels {
    /** Elements per task: large enough to amortise scheduling, small enough to balance the cores. */
    private static final int CHUNK = 1 << 15;
    /**
     * Elements a kernel copies between the buffers and per-thread Java arrays at a time (bulk copies): the
     * element-wise loops over arrays run about twice as fast as element-wise buffer access (the normalisation,
     * docs/benchmarks.md), with the same arithmetic in the same order.
     */
    private static final int BLOCK = 2048;
    /**
     * Planes smaller than this are read element by element: per row, the copies' fixed cost outweighs the faster
     * loop (measured both ways in one process: docs/benchmarks.md, "Nesterov momentum in the fused step, the loss in
     * one pass, faster batch norm").
     */
    private static final int MIN_COPIED_PIXELS = 256;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][BLOCK]);

    private BatchNormKernels() {
    }

    /** Float arrays in C order with default strides in host memory, each under 2^31 elements. */
    static boolean supported(INDArray... arrays) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || !Shape.hasDefaultStridesForShape(a)
                    || a.offset() + a.length() > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /**
     * Per channel: {mean, biased variance} over images and pixels, in one pass: each row's sums of
     * {@code x - s} and {@code (x - s)^2} in double precision, shifted by the channel's first value {@code s} so
     * that a large mean does not cancel the variance's digits (the shifted-data algorithm).
     */
    static double[][] statistics(INDArray x, int n, int c, int pixels) {
        Rows in = new Rows(x);
        double[] shift = new double[c];
        for (int ch = 0; ch < c; ch++) {
            shift[ch] = in.buf.get(in.at(ch, pixels));
        }
        double[] rowSums = new double[n * c];
        double[] rowSquares = new double[n * c];
        forRows(n * c, pixels, r -> {
            int base = in.at(r, pixels);
            double k = shift[r % c];
            double s = 0;
            double q = 0;
            // element by element: copying blocks first measured no faster for this one-array pass
            for (int j = 0; j < pixels; j++) {
                double d = in.buf.get(base + j) - k;
                s += d;
                q += d * d;
            }
            rowSums[r] = s;
            rowSquares[r] = q;
        });
        double count = (double) n * pixels;
        double[] sums = perChannel(rowSums, n, c);
        double[] squares = perChannel(rowSquares, n, c);
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double shiftedMean = sums[ch] / count;
            mean[ch] = shift[ch] + shiftedMean;
            var[ch] = Math.max(0, squares[ch] / count - shiftedMean * shiftedMean);
        }
        return new double[][]{mean, var};
    }

    /**
     * Per channel, the float factors the normalisation applies, {@code out = x * scale + shift}: kept by the layer
     * so that the backward pass can recompute a fused ReLU's mask from {@code x} with the same arithmetic instead of
     * reading the output (one array fewer to read in each backward pass).
     */
    record Affine(float[] scale, float[] shift) {
        static Affine of(double[] mean, double[] var, double[] gamma, double[] beta, double eps) {
            int c = mean.length;
            float[] scale = new float[c];
            float[] shift = new float[c];
            for (int ch = 0; ch < c; ch++) {
                double s = gamma[ch] / Math.sqrt(var[ch] + eps);
                scale[ch] = (float) s;
                shift[ch] = (float) (beta[ch] - mean[ch] * s);
            }
            return new Affine(scale, shift);
        }
    }

    /**
     * {@code out = gamma (x - mean) / sqrt(var + eps) + beta}, then {@code max(out, 0)} when {@code relu}, as
     * {@code x * scale + shift} with the factors returned.
     */
    static Affine normalize(INDArray x, INDArray out, int n, int c, int pixels, double[] mean, double[] var,
                            double[] gamma, double[] beta, double eps, boolean relu) {
        Affine affine = Affine.of(mean, var, gamma, beta, eps);
        float[] scale = affine.scale();
        float[] shift = affine.shift();
        Rows in = new Rows(x);
        Rows o = new Rows(out);
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
        forRows(n * c, pixels, r -> {
            int from = in.at(r, pixels);
            int to = o.at(r, pixels);
            float a = scale[r % c];
            float b = shift[r % c];
            if (pixels < MIN_COPIED_PIXELS) {
                for (int j = 0; j < pixels; j++) {
                    o.buf.put(to + j, Math.max(in.buf.get(from + j) * a + b, floor));
                }
                return;
            }
            float[][] t = SCRATCH.get();
            float[] xs = t[0];
            float[] ys = t[1];
            for (int j0 = 0; j0 < pixels; j0 += BLOCK) {
                int len = Math.min(BLOCK, pixels - j0);
                in.buf.get(from + j0, xs, 0, len);
                for (int j = 0; j < len; j++) {
                    ys[j] = Math.max(xs[j] * a + b, floor);
                }
                o.buf.put(to + j0, ys, 0, len);
            }
        });
        return affine;
    }

    /**
     * The training-mode backward pass into {@code dx}: {@code dx = gamma/std (dy - mean(dy) - (x - mean)
     * mean(dy (x - mean)) / var')} with {@code var' = var + eps}, where {@code dy} is first masked by
     * {@code x * scale + shift > 0} when a ReLU was fused ({@code relu}: the forward pass's factors, so the mask is
     * the forward output's to the bit; null without a ReLU). Returns per channel {dGamma, dBeta}.
     */
    static double[][] backward(INDArray x, INDArray dy, Affine relu, INDArray dx, int n, int c, int pixels,
                               double[] mean, double[] var, double[] gamma, double eps) {
        Rows in = new Rows(x);
        Rows grad = new Rows(dy);
        double[] rowDy = new double[n * c];
        double[] rowDyXmu = new double[n * c];
        forRows(n * c, pixels, r -> {
            int xi = in.at(r, pixels);
            int gi = grad.at(r, pixels);
            int ch = r % c;
            boolean masked = relu != null;
            float ra = masked ? relu.scale()[ch] : 0f;
            float rb = masked ? relu.shift()[ch] : 0f;
            double m = mean[ch];
            double s = 0;
            double sx = 0;
            if (pixels < MIN_COPIED_PIXELS) {
                for (int j = 0; j < pixels; j++) {
                    float xj = in.buf.get(xi + j);
                    float d = gradient(grad.buf.get(gi + j), masked, xj, ra, rb);
                    s += d;
                    sx += d * (xj - m);
                }
                rowDy[r] = s;
                rowDyXmu[r] = sx;
                return;
            }
            float[][] t = SCRATCH.get();
            float[] xs = t[0];
            float[] ds = t[1];
            for (int j0 = 0; j0 < pixels; j0 += BLOCK) {
                int len = Math.min(BLOCK, pixels - j0);
                in.buf.get(xi + j0, xs, 0, len);
                maskedGradient(grad, gi + j0, masked, xs, ra, rb, ds, len);
                for (int j = 0; j < len; j++) {
                    float d = ds[j];
                    s += d;
                    sx += d * (xs[j] - m);
                }
            }
            rowDy[r] = s;
            rowDyXmu[r] = sx;
        });
        double[] dBeta = perChannel(rowDy, n, c);
        double[] dyXmu = perChannel(rowDyXmu, n, c);
        double count = (double) n * pixels;
        double[] dGamma = new double[c];
        float[] a = new float[c];
        float[] b = new float[c];
        float[] k = new float[c];
        float[] mu = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double invStd = 1 / Math.sqrt(var[ch] + eps);
            dGamma[ch] = dyXmu[ch] * invStd;
            a[ch] = (float) (gamma[ch] * invStd);
            b[ch] = (float) (-dBeta[ch] / count);
            k[ch] = (float) (dyXmu[ch] * invStd * invStd / count);
            mu[ch] = (float) mean[ch];
        }
        Rows out = new Rows(dx);
        forRows(n * c, pixels, r -> {
            int xi = in.at(r, pixels);
            int gi = grad.at(r, pixels);
            int oi = out.at(r, pixels);
            int ch = r % c;
            boolean masked = relu != null;
            float ra = masked ? relu.scale()[ch] : 0f;
            float rb = masked ? relu.shift()[ch] : 0f;
            float ac = a[ch];
            float bc = b[ch];
            float kc = k[ch];
            float mc = mu[ch];
            if (pixels < MIN_COPIED_PIXELS) {
                for (int j = 0; j < pixels; j++) {
                    float xj = in.buf.get(xi + j);
                    float d = gradient(grad.buf.get(gi + j), masked, xj, ra, rb);
                    out.buf.put(oi + j, ac * (d + bc - (xj - mc) * kc));
                }
                return;
            }
            float[][] t = SCRATCH.get();
            float[] xs = t[0];
            float[] ds = t[1];
            float[] os = t[2];
            for (int j0 = 0; j0 < pixels; j0 += BLOCK) {
                int len = Math.min(BLOCK, pixels - j0);
                in.buf.get(xi + j0, xs, 0, len);
                maskedGradient(grad, gi + j0, masked, xs, ra, rb, ds, len);
                for (int j = 0; j < len; j++) {
                    os[j] = ac * (ds[j] + bc - (xs[j] - mc) * kc);
                }
                out.buf.put(oi + j0, os, 0, len);
            }
        });
        return new double[][]{dGamma, dBeta};
    }

    /**
     * {@code len} gradient values from {@code at} into {@code ds}, times the sign of the ReLU output {@code max(x *
     * a + b, 0)} recomputed from the block {@code xs} when {@code masked} (as {@link ReluMask} does with the output).
     * The sign of a value that is 0 or positive is computed as {@code min(v * 2^149, 1)}: the smallest positive
     * float times 2^149 is 1, and products, minima and the loop stay branch-free, so the compiler vectorises it (a
     * comparison mispredicts on half-zero outputs).
     */
    private static void maskedGradient(Rows grad, int at, boolean masked, float[] xs, float a, float b, float[] ds,
                                       int len) {
        grad.buf.get(at, ds, 0, len);
        if (masked) {
            for (int j = 0; j < len; j++) {
                float output = Math.max(xs[j] * a + b, 0f); // the forward pass's output, to the bit
                ds[j] = ds[j] * Math.min(output * 0x1p100f * 0x1p49f, 1f); // 2^149 in two factors: 2^127 is the most
            }
        }
    }

    /**
     * One gradient value where the ReLU output {@code max(x a + b, 0)} is positive, else 0, for small planes: a bit
     * test (the output's bits without the sign bit are positive exactly when it is), cheaper than {@link
     * #maskedGradient}'s product one value at a time; the two differ only for a NaN output (kept here, NaN there),
     * which the NaN guard stops either way.
     */
    private static float gradient(float d, boolean masked, float x, float a, float b) {
        if (!masked) {
            return d;
        }
        float output = Math.max(x * a + b, 0f);
        int positive = -(Float.floatToRawIntBits(output) & 0x7fffffff) >> 31; // -1 if positive
        return Float.intBitsToFloat(Float.floatToRawIntBits(d) & positive);
    }

    /** A per-(image, channel) array [N*C] summed over the images: [C]. */
    private static double[] perChannel(double[] perRow, int n, int c) {
        double[] sums = new double[c];
        for (int r = 0; r < n * c; r++) {
            sums[r % c] += perRow[r];
        }
        return sums;
    }

    private interface RowKernel {
        void run(int row);
    }

    /** Runs the kernel for every row, rows grouped into tasks of about {@link #CHUNK} elements. */
    private static void forRows(int rows, int pixels, RowKernel kernel) {
        int perTask = Math.max(1, CHUNK / Math.max(1, pixels));
        int tasks = (rows + perTask - 1) / perTask;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int end = Math.min(rows, (t + 1) * perTask);
            for (int r = t * perTask; r < end; r++) {
                kernel.run(r);
            }
        });
        Reference.reachabilityFence(kernel); // its Rows hold the arrays whose buffers it reads
    }

    /** The float buffer behind an array and where its row r starts; holds the array, which the buffer does not. */
    private static final class Rows {
        final INDArray array;
        final FloatBuffer buf;
        final int offset;

        Rows(INDArray a) {
            this.array = a;
            this.buf = a.data().asNioFloat();
            this.offset = (int) a.offset();
        }

        int at(int row, int pixels) {
            return offset + row * pixels;
        }
    }
}
