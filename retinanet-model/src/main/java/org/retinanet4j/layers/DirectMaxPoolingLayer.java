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
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * The layer of {@link DirectMaxPooling}. Each output is the largest input of its window (the window clipped to the
 * image: padding never wins), the first in row-major order among equal values, as DL4J's layer and torch pick it;
 * a training forward pass keeps that position, and the backward pass adds each output's gradient there (where
 * overlapping windows share a maximum, in output order: the sum can differ from DL4J's in the last bits). Other
 * pooling types, layouts, data types, dilation or {@code ConvolutionMode.Same} fall back to DL4J's implementation.
 */
public class DirectMaxPoolingLayer extends SubsamplingLayer {
    /** Position of each output's maximum within its image plane, from the last training forward pass. */
    private int[] argmax = new int[0];
    private long[] argmaxInputShape;

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
                && x.length() < Integer.MAX_VALUE;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!handled(input)) {
            return super.activate(training, workspaceMgr);
        }
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        INDArray x = contiguous(input, ArrayType.FF_WORKING_MEM, workspaceMgr);
        int planes = (int) (x.size(0) * x.size(1));
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int oh = (h + 2 * p[0] - k[0]) / s[0] + 1;
        int ow = (w + 2 * p[1] - k[1]) / s[1] + 1;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[]{x.size(0), x.size(1), oh, ow}, 'c');
        int outputs = planes * oh * ow;
        if (training && argmax.length < outputs) {
            argmax = new int[outputs];
        }
        int[] where = training ? argmax : null;
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer o = out.data().asNioFloat();
        int inBase = (int) x.offset();
        int outBase = (int) out.offset();
        IntStream.range(0, planes).parallel().forEach(plane -> {
            int from = inBase + plane * h * w;
            int to = plane * oh * ow;
            for (int y = 0; y < oh; y++) {
                int y0 = Math.max(0, y * s[0] - p[0]);
                int y1 = Math.min(h, y * s[0] - p[0] + k[0]);
                for (int xo = 0; xo < ow; xo++) {
                    int x0 = Math.max(0, xo * s[1] - p[1]);
                    int x1 = Math.min(w, xo * s[1] - p[1] + k[1]);
                    float best = Float.NEGATIVE_INFINITY;
                    int at = y0 * w + x0;
                    for (int yy = y0; yy < y1; yy++) {
                        for (int xx = x0; xx < x1; xx++) {
                            float v = in.get(from + yy * w + xx);
                            if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) { // NaN propagates, as in torch
                                best = v;
                                at = yy * w + xx;
                            }
                        }
                    }
                    o.put(outBase + to + y * ow + xo, best);
                    if (where != null) {
                        where[to + y * ow + xo] = at;
                    }
                }
            }
        });
        argmaxInputShape = training ? x.shape() : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!handled(input)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        if (argmaxInputShape == null || !java.util.Arrays.equals(argmaxInputShape, input.shape())) {
            throw new IllegalStateException("max pooling " + layerId() + ": backward without a training forward pass");
        }
        INDArray dy = contiguous(epsilon.castTo(dataType), ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray dx = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c'); // zeros
        int planes = (int) (input.size(0) * input.size(1));
        int hw = (int) (input.size(2) * input.size(3));
        int ohw = (int) (dy.size(2) * dy.size(3));
        FloatBuffer g = dy.data().asNioFloat();
        FloatBuffer d = dx.data().asNioFloat();
        int gBase = (int) dy.offset();
        int dBase = (int) dx.offset();
        int[] where = argmax;
        IntStream.range(0, planes).parallel().forEach(plane -> {
            int to = dBase + plane * hw;
            int from = plane * ohw;
            for (int i = 0; i < ohw; i++) {
                int at = to + where[from + i];
                d.put(at, d.get(at) + g.get(gBase + from + i));
            }
        });
        argmaxInputShape = null;
        return new Pair<>(new DefaultGradient(), backpropDropOutIfPresent(dx));
    }

    private static INDArray contiguous(INDArray a, ArrayType type, LayerWorkspaceMgr mgr) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) ? a : mgr.dup(type, a, 'c');
    }
}
