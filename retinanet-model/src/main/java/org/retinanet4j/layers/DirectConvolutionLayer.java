package org.retinanet4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.retinanet4j.onednn.ConvolutionCache;
import org.retinanet4j.onednn.ConvolutionGeometry;
import org.retinanet4j.onednn.ConvolutionPrimitives;
import org.retinanet4j.onednn.OneDnn;
import org.retinanet4j.onednn.WeightLayout;

/**
 * The layer of {@link DirectConvolution}: the same convolution as DL4J's {@link ConvolutionLayer}, computed
 * without its overheads.
 *
 * <ul>
 *   <li>1x1 convolutions (most of a ResNet-50 and the FPN's lateral convolutions) are one matrix product per image
 *   ({@code [cOut, cIn] x [cIn, H*W]} in NCHW): BLAS ran them 4 to 10 times faster than the oneDNN convolution on
 *   plain NCHW arrays, backward even more. A stride is a strided copy of the input first.</li>
 *   <li>Other kernels (3x3, the 7x7 stem) in float run oneDNN's own kernels ({@link ConvolutionPrimitives}: blocked
 *   layouts, the ReLU fused, built once per input shape); elsewhere (doubles, {@code -Dretinanet.onednn=false},
 *   other backends) libnd4j's {@code conv2d} / {@code conv2d_bp} or the unfolded products below.</li>
 *   <li>Backward never repeats the forward pass: with an identity activation the pre-activation is not needed, a
 *   ReLU is applied in place and its backward pass reads the output; another activation makes the layer keep a
 *   copy of its pre-activation.</li>
 * </ul>
 * Every array lives in DL4J's workspaces, so the memory is reused from one iteration to the next. Layouts other
 * than NCHW and {@code ConvolutionMode.Same} fall back to DL4J's own implementation.
 */
public class DirectConvolutionLayer extends ConvolutionLayer {
    /** Output pixels per image up to which the unfolded backward pass multiplies all images at once. */
    private static final long SIDE_BY_SIDE_PIXELS = 64;
    /** oneDNN's primitives for the input shapes seen last (training uses one; evaluation may add a few). */
    private transient ConvolutionCache oneDnn; // native state: made on first use, never serialised
    /** The output of the last training forward pass when the activation is a ReLU (computed in place). */
    private INDArray reluOutput;

    public DirectConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean handled() {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        return c.getCnn2dDataFormat() == CNN2DFormat.NCHW && c.getConvolutionMode() != ConvolutionMode.Same
                && c.getConvolutionMode() != ConvolutionMode.Causal && input != null && input.rank() == 4;
    }

    private boolean identity() {
        return layerConf().getActivationFn() instanceof ActivationIdentity;
    }

    private boolean relu() {
        return layerConf().getActivationFn() instanceof ActivationReLU;
    }

    private boolean pointwise() {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        return c.getKernelSize()[0] == 1 && c.getKernelSize()[1] == 1 && c.getPadding()[0] == 0
                && c.getPadding()[1] == 0;
    }

    private long[] outputShape(INDArray x) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        long[] out = new long[]{x.size(0), c.getNOut(), 0, 0};
        for (int d = 0; d < 2; d++) {
            long extent = (long) c.getDilation()[d] * (c.getKernelSize()[d] - 1) + 1;
            out[2 + d] = (x.size(2 + d) + 2L * c.getPadding()[d] - extent) / c.getStride()[d] + 1;
        }
        return out;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!handled()) {
            return super.activate(training, workspaceMgr);
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        validateInputDepth(input.size(1));
        INDArray x = WorkspaceArrays.contiguous(input, ArrayType.FF_WORKING_MEM, workspaceMgr);
        INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray b = hasBias() ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, outputShape(x), 'c');
        boolean reluApplied = false;
        if (pointwise()) {
            INDArray xs = strided(x, ArrayType.FF_WORKING_MEM, workspaceMgr);
            long n = x.size(0);
            long cIn = x.size(1);
            long cOut = out.size(1);
            long pixels = out.size(2) * out.size(3);
            INDArray w2 = w.reshape('c', cOut, cIn);
            for (int i = 0; i < n; i++) {
                INDArray yi = out.slice(i).reshape('c', cOut, pixels);
                Nd4j.gemm(w2, xs.slice(i).reshape('c', cIn, pixels), yi, false, false, 1.0, 0.0);
                if (b != null) {
                    yi.addiColumnVector(b.reshape(cOut, 1));
                }
            }
        } else {
            ConvolutionPrimitives prims = oneDnn(x);
            if (prims != null) {
                prims.forward(x, w, b, out);
                reluApplied = relu(); // fused into the kernel
            } else {
                DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d");
                op = b == null ? op.addInputs(x, w) : op.addInputs(x, w, b.reshape(b.length()));
                Nd4j.exec(op.addOutputs(out).addIntegerArguments(convArgs()).build());
            }
        }
        if (relu()) {
            if (!reluApplied) {
                Transforms.relu(out, false);
            }
            reluOutput = training ? out : null;
        } else if (!identity()) {
            if (training) {
                preOutput = workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
            }
            out = layerConf().getActivationFn().getActivation(out, training);
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!handled()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray delta = epsilon;
        if (relu()) {
            if (reluOutput == null) {
                throw new IllegalStateException("convolution " + layerId() + ": backward without a training forward");
            }
            delta = ReluMask.apply(reluOutput, epsilon, workspaceMgr);
            reluOutput = null;
        } else if (!identity()) {
            if (preOutput == null) {
                throw new IllegalStateException("convolution " + layerId() + ": backward without a training forward");
            }
            delta = layerConf().getActivationFn().backprop(preOutput.dup(), epsilon).getFirst();
            preOutput = null;
        }
        delta = WorkspaceArrays.contiguous(delta, ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray x = WorkspaceArrays.contiguous(input, ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray wGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray bGrad = hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
        INDArray epsNext = inputGradient() || pointwise()
                ? workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c') : null;
        ConvolutionPrimitives prims = oneDnn(x);
        if (prims != null) {
            prims.backward(x, w, delta, epsNext, wGrad, bGrad);
        } else if (pointwise()) {
            pointwiseBackward(x, w, delta, wGrad, bGrad, epsNext, workspaceMgr);
        } else if (!inputGradient() || im2colBackward(x, delta)) {
            unfoldedBackward(x, w, delta, wGrad, bGrad, inputGradient() ? epsNext : null, workspaceMgr);
            if (!inputGradient()) {
                epsNext = null;
            }
        } else {
            INDArray b = hasBias() ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr) : null;
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp");
            op = b == null ? op.addInputs(x, w, delta).addOutputs(epsNext, wGrad)
                    : op.addInputs(x, w, b.reshape(b.length()), delta).addOutputs(epsNext, wGrad, bGrad.reshape(bGrad.length()));
            Nd4j.exec(op.addIntegerArguments(convArgs()).build());
        }
        Gradient gradient = new DefaultGradient();
        if (bGrad != null) {
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, bGrad);
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, wGrad, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, epsNext == null ? null : backpropDropOutIfPresent(epsNext));
    }

    /** dW = sum_i dY_i X_i^T, db = sum_i dY_i 1, dX_i = W^T dY_i (scattered back through the stride). */
    private void pointwiseBackward(INDArray x, INDArray w, INDArray delta, INDArray wGrad, INDArray bGrad,
                                   INDArray epsNext, LayerWorkspaceMgr mgr) {
        INDArray xs = strided(x, ArrayType.BP_WORKING_MEM, mgr);
        long n = x.size(0);
        long cIn = x.size(1);
        long cOut = delta.size(1);
        long pixels = delta.size(2) * delta.size(3);
        boolean strided = xs != x;
        INDArray dxs = strided ? mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, xs.shape(), 'c') : epsNext;
        INDArray w2 = w.reshape('c', cOut, cIn);
        INDArray wGrad2 = wGrad.reshape('c', cOut, cIn);
        INDArray ones = bGrad == null ? null
                : mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{pixels, 1}, 'c').assign(1);
        INDArray bGradColumn = bGrad == null ? null : bGrad.reshape('c', cOut, 1);
        for (int i = 0; i < n; i++) {
            INDArray dyi = delta.slice(i).reshape('c', cOut, pixels);
            double beta = i == 0 ? 0.0 : 1.0;
            Nd4j.gemm(dyi, xs.slice(i).reshape('c', cIn, pixels), wGrad2, false, true, 1.0, beta);
            if (ones != null) {
                Nd4j.gemm(dyi, ones, bGradColumn, false, false, 1.0, beta);
            }
            Nd4j.gemm(w2, dyi, dxs.slice(i).reshape('c', cIn, pixels), true, false, 1.0, 0.0);
        }
        if (strided) {
            epsNext.assign(0);
            epsNext.get(stridedIndex()).assign(dxs);
        }
    }

    /**
     * oneDNN's primitives for this input (built on first use), or null where libnd4j's path runs: 1x1 kernels
     * (matrix products are faster), doubles, activations other than identity and ReLU, oneDNN off or missing.
     */
    private ConvolutionPrimitives oneDnn(INDArray x) {
        if (pointwise() || x.dataType() != DataType.FLOAT || !(identity() || relu()) || !OneDnn.enabled()) {
            return null;
        }
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        ConvolutionGeometry g = new ConvolutionGeometry(x.size(0), x.size(1), x.size(2), x.size(3), c.getNOut(),
                c.getKernelSize()[0], c.getKernelSize()[1], c.getStride()[0], c.getStride()[1], c.getPadding()[0],
                c.getPadding()[1], c.getDilation()[0], c.getDilation()[1], WeightLayout.OIHW, hasBias(), relu(), inputGradient());
        if (oneDnn == null) {
            oneDnn = new ConvolutionCache(4);
        }
        return oneDnn.get(0, g, "convolution " + layerId());
    }

    /** Whether this layer has run through oneDNN's primitives (for tests). */
    boolean ranOneDnn() {
        return oneDnn != null && !oneDnn.isEmpty();
    }

    /** False for a layer fed by the network input (its gradient would be thrown away). */
    private boolean inputGradient() {
        return !(layerConf() instanceof DirectConvolution d) || d.isInputGradient();
    }

    /**
     * Whether the backward pass should run as unfolded matrix products: oneDNN's backward pass (weights above all)
     * was 2 to 5 times slower than im2col + GEMM where the channels are many for the pixels (ResNet's last stages:
     * 512 channels on 4x4; 128 channels on 16x16 were faster in oneDNN; docs/benchmarks.md, "Model").
     */
    private boolean im2colBackward(INDArray x, INDArray delta) {
        long pixels = delta.size(2) * delta.size(3);
        return x.size(1) * delta.size(1) >= 256 * pixels;
    }

    /**
     * Backward through the unfolded input: {@code col = im2col(x)} ({@code [cIn*kH*kW, pixels]} per image),
     * {@code dW = sum_i dY_i col_i^T}, and when asked {@code dX = col2im(W^T dY_i)}. With many pixels, one product
     * per image: writing im2col's output through a permuted view (to batch the products) or permuting it with ND4J
     * cost more than the products saved. With few pixels (ResNet's last stages on small images) the per-image
     * products are too thin to run fast, so the images are regrouped side by side first (docs/benchmarks.md,
     * "Model").
     */
    private void unfoldedBackward(INDArray x, INDArray w, INDArray delta, INDArray wGrad, INDArray bGrad,
                                  INDArray epsNext, LayerWorkspaceMgr mgr) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        long n = x.size(0);
        long cIn = x.size(1);
        long cOut = delta.size(1);
        long oh = delta.size(2);
        long ow = delta.size(3);
        long pixels = oh * ow;
        long unfolded = cIn * k[0] * k[1];
        INDArray col = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[]{n, cIn, k[0], k[1], oh, ow}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(x).addOutputs(col)
                .addIntegerArguments(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], 0).build());
        INDArray wGrad2 = wGrad.reshape('c', cOut, unfolded);
        INDArray w2 = w.reshape('c', cOut, unfolded);
        boolean sideBySide = n > 1 && pixels <= SIDE_BY_SIDE_PIXELS && ImageBlocks.supported(col, delta);
        long columns = sideBySide ? n * pixels : pixels;
        INDArray ones = bGrad == null ? null
                : mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{columns, 1}, 'c').assign(1);
        INDArray bGradColumn = bGrad == null ? null : bGrad.reshape('c', cOut, 1);
        if (sideBySide) {
            INDArray dyAll = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{cOut, columns}, 'c');
            INDArray colAll = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                    new long[]{unfolded, columns}, 'c');
            ImageBlocks.sideBySide(delta, dyAll, n, cOut, pixels);
            ImageBlocks.sideBySide(col, colAll, n, unfolded, pixels);
            Nd4j.gemm(dyAll, colAll, wGrad2, false, true, 1.0, 0.0);
            if (ones != null) {
                Nd4j.gemm(dyAll, ones, bGradColumn, false, false, 1.0, 0.0);
            }
            if (epsNext != null) {
                Nd4j.gemm(w2, dyAll, colAll, true, false, 1.0, 0.0);
                ImageBlocks.perImage(colAll, col, n, unfolded, pixels);
            }
        } else {
            for (int i = 0; i < n; i++) {
                INDArray dyi = delta.slice(i).reshape('c', cOut, pixels);
                INDArray coli = col.slice(i).reshape('c', unfolded, pixels);
                double beta = i == 0 ? 0.0 : 1.0;
                Nd4j.gemm(dyi, coli, wGrad2, false, true, 1.0, beta);
                if (ones != null) {
                    Nd4j.gemm(dyi, ones, bGradColumn, false, false, 1.0, beta);
                }
                if (epsNext != null) {
                    Nd4j.gemm(w2, dyi, coli, true, false, 1.0, 0.0); // the columns are used up: reuse them
                }
            }
        }
        if (epsNext != null) {
            Nd4j.exec(DynamicCustomOp.builder("col2im").addInputs(col).addOutputs(epsNext)
                    .addIntegerArguments(s[0], s[1], p[0], p[1], (int) x.size(2), (int) x.size(3), d[0], d[1], 0)
                    .build());
        }
    }

    /** The input pixels a strided 1x1 convolution reads, as a contiguous array (the input itself for stride 1). */
    private INDArray strided(INDArray x, ArrayType type, LayerWorkspaceMgr mgr) {
        int[] s = layerConf().getStride();
        if (s[0] == 1 && s[1] == 1) {
            return x;
        }
        return mgr.dup(type, x.get(stridedIndex()), 'c');
    }

    private INDArrayIndex[] stridedIndex() {
        int[] s = layerConf().getStride();
        return new INDArrayIndex[]{NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, s[0], input.size(2)), NDArrayIndex.interval(0, s[1], input.size(3))};
    }

    /** libnd4j's conv2d arguments: kernel, stride, explicit padding, dilation, VALID mode, NCHW, OIYX weights. */
    private int[] convArgs() {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        return new int[]{k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], 0, 0, 1};
    }
}
