package org.retinanet4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The layer of {@link DirectMaxPooling}. Each output is the largest input of its window (the window clipped to the
 * image: padding never wins), found with integer keys that order as the floats do; the backward pass adds each
 * output's gradient to the first input of its window equal to that output, the one DL4J's layer and torch pick among equal values (where
 * overlapping windows share a maximum, in output order: the sum can differ from DL4J's in the last bits). Other
 * pooling types, layouts, data types, dilation, {@code ConvolutionMode.Same} and planes under
 * {@link #MIN_PLANE_PIXELS} pixels fall back to DL4J's implementation.
 */
public class DirectMaxPoolingLayer extends SubsamplingLayer {
    /**
     * Image planes from this many pixels on: DL4J's oneDNN helper was faster than this layer on the demo's 64x64
     * planes and several times slower on ResNet-50's 256x256 ones (MaxPoolingBenchmark; docs/benchmarks.md, "Model").
     */
    static final long MIN_PLANE_PIXELS = 128 * 128;
    /** The output of the last training forward pass: the backward pass finds each window's maximum again. */
    private INDArray lastOutput;

    public DirectMaxPoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean handled(INDArray x) {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        return x != null && x.rank() == 4 && x.dataType() == DataType.FLOAT && Nd4j.getEnvironment().isCPU()
                && c.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX
                && c.getCnn2dDataFormat() == CNN2DFormat.NCHW && c.getIDropout() == null
                && (c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict)
                && c.getDilation()[0] == 1 && c.getDilation()[1] == 1
                && x.size(2) * x.size(3) >= MIN_PLANE_PIXELS && x.length() < Integer.MAX_VALUE;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!handled(input)) {
            return super.activate(training, workspaceMgr);
        }
        Window win = new Window(layerConf(), input);
        INDArray x = WorkspaceArrays.contiguous(input, ArrayType.FF_WORKING_MEM, workspaceMgr);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[]{x.size(0), x.size(1), win.oh, win.ow}, 'c');
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer o = out.data().asNioFloat();
        int inBase = (int) x.offset();
        int outBase = (int) out.offset();
        IntStream.range(0, win.planes).parallel().forEach(plane -> {
            // one image plane at a time in Java arrays: buffer reads cost more than the comparisons
            float[] src = Scratch.get(0, win.h * win.w);
            float[] dst = Scratch.get(1, win.oh * win.ow);
            in.get(inBase + plane * win.h * win.w, src, 0, win.h * win.w);
            for (int y = 0; y < win.oh; y++) {
                int y0 = win.y0(y);
                int y1 = win.y1(y);
                for (int xo = 0; xo < win.ow; xo++) {
                    int x0 = win.x0(xo);
                    int x1 = win.x1(xo);
                    int best = Integer.MIN_VALUE;
                    for (int yy = y0; yy < y1; yy++) {
                        int row = yy * win.w;
                        for (int xx = x0; xx < x1; xx++) {
                            best = Math.max(best, key(src[row + xx]));
                        }
                    }
                    dst[y * win.ow + xo] = value(best);
                }
            }
            o.put(outBase + plane * win.oh * win.ow, dst, 0, win.oh * win.ow);
        });
        Reference.reachabilityFence(x); // a copy when the input is not contiguous: alive until read
        lastOutput = training ? out : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!handled(input)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        if (lastOutput == null) {
            throw new IllegalStateException("max pooling " + layerId() + ": backward without a training forward pass");
        }
        Window win = new Window(layerConf(), input);
        INDArray x = WorkspaceArrays.contiguous(input, ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray dy = WorkspaceArrays.contiguous(epsilon.castTo(dataType), ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer out = lastOutput.data().asNioFloat();
        FloatBuffer g = dy.data().asNioFloat();
        FloatBuffer d = dx.data().asNioFloat();
        int inBase = (int) x.offset();
        int outBase = (int) lastOutput.offset();
        int gBase = (int) dy.offset();
        int dBase = (int) dx.offset();
        IntStream.range(0, win.planes).parallel().forEach(plane -> {
            int hw = win.h * win.w;
            int ohw = win.oh * win.ow;
            float[] src = Scratch.get(0, hw);
            float[] max = Scratch.get(1, ohw);
            float[] grad = Scratch.get(2, ohw);
            float[] acc = Scratch.get(3, hw);
            in.get(inBase + plane * hw, src, 0, hw);
            out.get(outBase + plane * ohw, max, 0, ohw);
            g.get(gBase + plane * ohw, grad, 0, ohw);
            Arrays.fill(acc, 0, hw, 0f);
            for (int y = 0; y < win.oh; y++) {
                int y0 = win.y0(y);
                int y1 = win.y1(y);
                for (int xo = 0; xo < win.ow; xo++) {
                    int i = y * win.ow + xo;
                    // the gradient goes to the first input equal to the maximum: the one a strict > scan keeps
                    acc[firstMaximum(src, win.w, y0, y1, win.x0(xo), win.x1(xo), max[i])] += grad[i];
                }
            }
            d.put(dBase + plane * hw, acc, 0, hw);
        });
        Reference.reachabilityFence(x); // copies only these methods hold: alive until read
        Reference.reachabilityFence(dy);
        lastOutput = null;
        return new Pair<>(new DefaultGradient(), backpropDropOutIfPresent(dx));
    }

    /**
     * Position within the plane of the first window value equal to {@code max}: scanned from the last to the first
     * with a conditional move, so the unpredictable comparison costs no branch.
     */
    private static int firstMaximum(float[] plane, int w, int y0, int y1, int x0, int x1, float max) {
        int wanted = key(max);
        int at = y0 * w + x0;
        for (int yy = y1 - 1; yy >= y0; yy--) {
            for (int xx = x1 - 1; xx >= x0; xx--) {
                int i = yy * w + xx;
                at = key(plane[i]) == wanted ? i : at;
            }
        }
        return at;
    }

    /**
     * A float's bits as an int that orders as the floats do (negative values' magnitude bits flipped): the maximum
     * of these keys is found with integer conditional moves, where float comparisons on ReLU outputs (half of them
     * equal zeros) mispredicted a branch in every other step. NaN keys are the largest, so NaN propagates as in
     * torch; -0.0 orders below +0.0.
     */
    private static int key(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** The float of a {@link #key} (the mapping is its own inverse). */
    private static float value(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }

    /** Per-thread work arrays, grown as needed and kept: no allocation per plane or per step. */
    private static final class Scratch {
        private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[4][0]);

        static float[] get(int slot, int length) {
            float[][] arrays = ARRAYS.get();
            if (arrays[slot].length < length) {
                arrays[slot] = new float[length];
            }
            return arrays[slot];
        }
    }

    /** The pooling geometry of one input: windows clipped to the image, so padding never wins. */
    private static final class Window {
        final int planes;
        final int h;
        final int w;
        final int oh;
        final int ow;
        private final int[] k;
        private final int[] s;
        private final int[] p;

        Window(org.deeplearning4j.nn.conf.layers.SubsamplingLayer c, INDArray x) {
            k = c.getKernelSize();
            s = c.getStride();
            p = c.getPadding();
            planes = (int) (x.size(0) * x.size(1));
            h = (int) x.size(2);
            w = (int) x.size(3);
            oh = (h + 2 * p[0] - k[0]) / s[0] + 1;
            ow = (w + 2 * p[1] - k[1]) / s[1] + 1;
        }

        int y0(int y) {
            return Math.max(0, y * s[0] - p[0]);
        }

        int y1(int y) {
            return Math.min(h, y * s[0] - p[0] + k[0]);
        }

        int x0(int x) {
            return Math.max(0, x * s[1] - p[1]);
        }

        int x1(int x) {
            return Math.min(w, x * s[1] - p[1] + k[1]);
        }
    }

}
