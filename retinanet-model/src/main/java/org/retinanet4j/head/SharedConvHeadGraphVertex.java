package org.retinanet4j.head;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.retinanet4j.layers.ReluMask;
import org.retinanet4j.onednn.ConvolutionCache;
import org.retinanet4j.onednn.ConvolutionGeometry;
import org.retinanet4j.onednn.ConvolutionPrimitives;
import org.retinanet4j.onednn.OneDnn;
import org.retinanet4j.onednn.WeightLayout;

/**
 * The runtime vertex of {@link SharedConvHeadVertex}, computed with oneDNN's convolutions (in float, where
 * {@link OneDnn#enabled()}) or ND4J's {@code conv2d} and {@code conv2d_bp} ops, instead of a SameDiff session.
 *
 * <p>Why: DL4J M2.1's SameDiff vertex recomputes the whole head forward inside its backward pass (its
 * {@code calculateGradients} starts again from the inputs), doubles the gradients (see
 * {@code SameDiffGradientScale}) and prints a line per op on standard output. This vertex keeps each level's
 * post-ReLU activations from the training forward pass and runs the same libnd4j kernels (oneDNN where the
 * native build has it) once forward and once backward. The head written as a SameDiff graph lives on in the tests
 * as the reference this vertex is compared with ({@code SharedConvHeadPathsTest}).
 *
 * <p>Parameters (views of the network's flat array, laid out by the SameDiff vertex parameters) keep their
 * shapes: weights {@code [3, 3, cIn, cOut]} (YXIO), biases {@code [1, cOut]}.
 */
public class SharedConvHeadGraphVertex extends SameDiffGraphVertex {
    private static final Conv2DConfig CONV3X3_PAD1 = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1)
            .dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW)
            .weightsFormat(WeightsFormat.YXIO).build();

    private final SharedConvHeadVertex head;
    /** Per level: the inputs of every conv of the chain (index 0 = the level input), kept for backward. */
    private INDArray[][] convInputs;
    /** oneDNN's primitives per position in the chains ({@code level * convs + conv}) and input shape. */
    private transient ConvolutionCache oneDnn; // native state: made on first use, never serialised

    public SharedConvHeadGraphVertex(SharedConvHeadVertex config, ComputationGraph graph, String name,
                                     int vertexIndex, INDArray paramsView, boolean initParams, DataType dataType) {
        super(config, graph, name, vertexIndex, paramsView, initParams, dataType);
        this.head = config;
    }

    /** Convolutions 0..depth-1 are the ReLU convolutions, convolution {@code depth} is the predictor. */
    private String weightKey(int conv) {
        return conv < head.getDepth() ? SharedConvHeadVertex.convWeightKey(conv) : head.predictorWeightKey();
    }

    private String biasKey(int conv) {
        return conv < head.getDepth() ? SharedConvHeadVertex.convBiasKey(conv) : head.predictorBiasKey();
    }

    private INDArray weight(int conv) {
        return paramTable.get(weightKey(conv));
    }

    /** The bias as the {@code [cOut]} vector the conv ops take (the parameter is {@code [1, cOut]}). */
    private INDArray bias(int conv) {
        INDArray b = paramTable.get(biasKey(conv));
        return b.reshape(b.length());
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        int levels = head.getNumLevels();
        int convs = head.getDepth() + 1;
        long n = inputs[0].size(0);
        INDArray[] nhwc = new INDArray[levels];
        long total = 0;
        INDArray[][] kept = training ? new INDArray[levels][] : null;
        releaseKept();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int l = 0; l < levels; l++) {
                INDArray x = inputs[l];
                if (kept != null) {
                    kept[l] = new INDArray[convs];
                }
                for (int c = 0; c < convs; c++) {
                    if (kept != null) {
                        kept[l][c] = x;
                    }
                    ConvolutionPrimitives prims = oneDnn(l, c, x);
                    INDArray y;
                    if (prims != null) {
                        y = Nd4j.createUninitialized(dataType, new long[]{n, weight(c).size(3), x.size(2), x.size(3)}, 'c');
                        prims.forward(x, weight(c), bias(c), y); // the ReLU fused
                    } else {
                        y = Nd4j.exec(new Conv2D(x, weight(c), bias(c), CONV3X3_PAD1))[0];
                        if (c < convs - 1) {
                            Transforms.relu(y, false);
                        }
                    }
                    if (kept == null && c > 0) {
                        release(x);
                    }
                    x = y;
                }
                // [N, A*V, H, W] -> [N, H, W, A*V]; flattened per image below: torchvision's (row, column,
                // anchor, value) order
                nhwc[l] = x.permute(0, 2, 3, 1).dup('c');
                release(x);
                total += nhwc[l].length() / n;
            }
        }
        convInputs = kept;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{n, total}, 'c');
        long offset = 0;
        for (INDArray level : nhwc) {
            long len = level.length() / n;
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(offset, offset + len)).assign(level.reshape('c', n, len));
            release(level);
            offset += len;
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (convInputs == null) {
            throw new IllegalStateException("head " + getVertexName() + ": backward without a training forward pass");
        }
        int levels = head.getNumLevels();
        int convs = head.getDepth() + 1;
        long n = epsilon.size(0);
        Gradient gradient = new DefaultGradient();
        for (int c = 0; c < convs; c++) {
            gradTable.get(weightKey(c)).assign(0);
            gradTable.get(biasKey(c)).assign(0);
        }
        INDArray[] inputEpsilons = new INDArray[levels];
        long offset = 0;
        for (int l = 0; l < levels; l++) {
            INDArray[] chain = convInputs[l];
            INDArray predictorIn = chain[convs - 1];
            long h = predictorIn.size(2);
            long w = predictorIn.size(3);
            long values = (long) head.getNumAnchors() * head.getOutputsPerAnchor();
            long len = h * w * values;
            INDArray inputEpsilon = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                    inputs[l].shape(), 'c');
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray slice = epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(offset, offset + len))
                        .dup('c');
                INDArray g = slice.reshape('c', n, h, w, values).permute(0, 3, 1, 2).dup('c');
                release(slice);
                for (int c = convs - 1; c >= 0; c--) {
                    INDArray x = chain[c];
                    if (c < convs - 1) {
                        // ReLU backward: this conv's output is the next conv's (post-ReLU) input, no longer needed
                        ReluMask.consumingOutput(chain[c + 1], g);
                        release(chain[c + 1]);
                    }
                    INDArray gradIn = c == 0 ? inputEpsilon : Nd4j.createUninitialized(dataType, x.shape(), 'c');
                    INDArray gradW = Nd4j.createUninitialized(dataType, weight(c).shape(), 'c');
                    INDArray gradB = Nd4j.createUninitialized(dataType, bias(c).shape(), 'c');
                    ConvolutionPrimitives prims = oneDnn(l, c, x);
                    if (prims != null) {
                        prims.backward(x, weight(c), g, gradIn, gradW, gradB);
                    } else {
                        DynamicCustomOp bp = DynamicCustomOp.builder("conv2d_bp")
                                .addInputs(x, weight(c), bias(c), g).addOutputs(gradIn, gradW, gradB).build();
                        // the forward op's integer arguments (kernel, stride, padding, mode, formats)
                        bp.addIArgument(new Conv2D(x, weight(c), bias(c), CONV3X3_PAD1).iArgs());
                        Nd4j.exec(bp);
                    }
                    gradTable.get(weightKey(c)).addi(gradW);
                    gradTable.get(biasKey(c)).addi(gradB.reshape(gradTable.get(biasKey(c)).shape()));
                    release(gradW, gradB, g);
                    g = gradIn;
                }
            }
            inputEpsilons[l] = inputEpsilon;
            offset += len;
        }
        clipGradient(n);
        for (int c = 0; c < convs; c++) {
            gradient.gradientForVariable().put(weightKey(c), gradTable.get(weightKey(c)));
            gradient.gradientForVariable().put(biasKey(c), gradTable.get(biasKey(c)));
        }
        convInputs = null;
        return new Pair<>(gradient, inputEpsilons);
    }

    /**
     * oneDNN's primitives for convolution {@code conv} of {@code level}'s chain on input {@code x}, or null where
     * ND4J's ops run (doubles, oneDNN off or missing, arrays oneDNN cannot address directly).
     */
    private ConvolutionPrimitives oneDnn(int level, int conv, INDArray x) {
        if (x.dataType() != DataType.FLOAT || !OneDnn.enabled() || !OneDnn.denseC(x)
                || !OneDnn.denseC(weight(conv))) {
            return null;
        }
        int convs = head.getDepth() + 1;
        ConvolutionGeometry g = new ConvolutionGeometry(x.size(0), x.size(1), x.size(2), x.size(3), weight(conv).size(3),
                3, 3, 1, 1, 1, 1, 1, 1, WeightLayout.HWIO, true, conv < convs - 1, true);
        if (oneDnn == null) {
            oneDnn = new ConvolutionCache(2 * head.getNumLevels() * convs); // a training and an evaluation shape each
        }
        return oneDnn.get(level * convs + conv, g, "head " + getVertexName());
    }

    /** Whether this head has run through oneDNN's primitives (for tests). */
    boolean ranOneDnn() {
        return oneDnn != null && !oneDnn.isEmpty();
    }

    /**
     * Frees this vertex's own temporaries at once. They live outside DL4J's workspaces; left to the garbage
     * collector, tens of megabytes per step piled up off-heap and slowed training step after step (ResNet-50-FPN
     * at 512x512: 4.8 s growing to 7.0 s over six steps).
     */
    private static void release(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }

    /** DL4J M2.1's SameDiffGraphVertex keeps only the per-parameter views and leaves the whole view null. */
    @Override
    public void setBackpropGradientsViewArray(INDArray view) {
        super.setBackpropGradientsViewArray(view);
        gradients = view;
    }

    /**
     * {@code ClipL2PerLayer} for the head. In DL4J M2.1 a SameDiff vertex's setting had no effect (measured in
     * HeadGradientClippingTest; its whole-gradient view is null, see {@link #setBackpropGradientsViewArray}), so
     * the vertex applies its own. The stored gradient is the sum over the minibatch and the updater divides it by
     * the batch size afterwards, so the threshold is scaled by the batch size here.
     */
    private void clipGradient(long batchSize) {
        GradientNormalization gn = config.getGradientNormalization();
        if (gn == null || gn == GradientNormalization.None) {
            return;
        }
        if (gn != GradientNormalization.ClipL2PerLayer) {
            throw new UnsupportedOperationException("head " + getVertexName() + ": gradient normalization " + gn
                    + " is not supported on the shared heads (ClipL2PerLayer is)");
        }
        double threshold = config.getGradientNormalizationThreshold() * batchSize;
        double norm = gradients.norm2Number().doubleValue();
        if (norm > threshold) {
            gradients.muli(threshold / norm);
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        // Detection images carry no masks; pass the state through instead of the base class's exception.
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public void clearVertex() {
        super.clearVertex();
        releaseKept();
    }

    /** Frees activations kept by a training forward pass that no backward pass consumed (index 0 is the input). */
    private void releaseKept() {
        if (convInputs != null) {
            for (INDArray[] chain : convInputs) {
                for (int c = 1; c < chain.length; c++) {
                    release(chain[c]);
                }
            }
            convInputs = null;
        }
    }
}
