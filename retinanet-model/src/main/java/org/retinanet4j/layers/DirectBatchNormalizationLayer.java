package org.retinanet4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The layer of {@link DirectBatchNormalization}: DL4J's batch normalisation (batch statistics in training,
 * running mean and {@code log10stdev} at inference, the running statistics moved by DL4J's updater through the
 * same "gradients" its own layer returns), computed for NCHW activations in a few passes of fast kernels.
 *
 * <p>An NCHW array {@code [N, C, H, W]} is read as {@code N*C} contiguous rows of {@code H*W} pixels. Row sums
 * are a matrix-vector product with a vector of ones, the sums of squared deviations and of {@code dY * (x - mean)}
 * are ND4J's row-wise {@code Dot}, the normalisation itself is libnd4j's {@code batchnorm} op with these statistics
 * (one pass), and the backward pass's per-channel terms are column-vector broadcasts in place:
 * about ten times faster than DL4J's layer with the oneDNN helper on these shapes (whose statistics use TAD
 * reductions and whose backward took the generic path). The variance is two-pass ({@code sum((x - mean)^2)}),
 * as accurate as DL4J's. Float arrays on the CPU (training and inference alike) go through
 * {@link BatchNormKernels} instead: the same arithmetic in two passes forward and two backward, with the ReLU
 * mask recomputed from the input on the fly, where the ND4J operations above take about ten. Other layouts and
 * ranks fall back to DL4J's implementation.
 */
public class DirectBatchNormalizationLayer extends BatchNormalization {
    /** Batch statistics of the last training forward pass, per channel (kept outside workspaces). */
    private INDArray batchMean;
    private INDArray batchVar;
    /**
     * The output of the last training forward pass when a ReLU is fused and ND4J's operations computed it: its
     * positive entries pass gradients.
     */
    private INDArray lastOutput;
    /**
     * The per-channel factors of the last training forward pass through {@link BatchNormKernels} when a ReLU is
     * fused: the backward kernels recompute the mask from the input with them (the output is not read again).
     */
    private BatchNormKernels.Affine lastAffine;

    public DirectBatchNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean relu() {
        return layerConf() instanceof DirectBatchNormalization d && d.isRelu();
    }

    private boolean handled(INDArray x) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
        return x != null && x.rank() == 4 && c.getCnn2DFormat() == CNN2DFormat.NCHW && !c.isLockGammaBeta()
                && c.isUseLogStd();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!handled(input)) {
            if (relu()) {
                throw new UnsupportedOperationException("batch norm " + layerId() + ": a fused ReLU needs NCHW input");
            }
            return super.activate(training, workspaceMgr);
        }
        INDArray x = WorkspaceArrays.contiguous(input.castTo(dataType), ArrayType.FF_WORKING_MEM, workspaceMgr);
        long n = x.size(0);
        long c = x.size(1);
        if (c != layerConf().getNOut()) {
            throw new IllegalArgumentException("batch norm " + layerId() + ": input has " + c + " channels, expected "
                    + layerConf().getNOut());
        }
        long pixels = x.size(2) * x.size(3);
        INDArray gamma = getParam(BatchNormalizationParamInitializer.GAMMA).reshape(c);
        INDArray beta = getParam(BatchNormalizationParamInitializer.BETA).reshape(c);
        double eps = layerConf().getEps();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        if (BatchNormKernels.supported(x, out)) {
            return kernelForward(x, out, gamma, beta, training, (int) n, (int) c, (int) pixels);
        }
        INDArray x2 = x.reshape('c', n * c, pixels);
        INDArray out2 = out.reshape('c', n * c, pixels);
        INDArray mean;
        INDArray var;
        if (training) {
            long m = n * pixels;
            mean = channelSums(rowSums(x2, workspaceMgr, ArrayType.FF_WORKING_MEM), n, c).divi(m);
            centre(x2, mean, n, out2);                                               // x - mean, for the variance
            var = channelSums(Nd4j.exec(new Dot(out2, out2, 1)), n, c).divi(m);
            keepBatchStatistics(mean, var);
        } else {
            mean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(c);
            // stored: log10(std) with var = std^2; inference divides by sqrt(var + eps), as DL4J's layer does
            var = Transforms.pow(Nd4j.valueArrayOf(new long[]{c}, 10.0, dataType),
                    getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).reshape(c).mul(2), false);
        }
        // gamma (x - mean) / sqrt(var + eps) + beta in one pass: libnd4j's batchnorm (oneDNN's)
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(x, mean, var, gamma, beta).addOutputs(out)
                .addIntegerArguments(1, 1, 1).addFloatingPointArguments(eps).build());
        if (relu()) {
            Transforms.relu(out, false);
            lastOutput = training ? out : null;
            lastAffine = null;
        }
        return out; // without a fused ReLU, as DL4J's layer: no activation function
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!handled(input)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        if (batchMean == null) {
            throw new IllegalStateException("batch norm " + layerId() + ": backward without a training forward pass");
        }
        INDArray x = WorkspaceArrays.contiguous(input.castTo(dataType), ArrayType.BP_WORKING_MEM, workspaceMgr);
        INDArray dy = WorkspaceArrays.contiguous(epsilon, ArrayType.BP_WORKING_MEM, workspaceMgr);
        if (relu() && lastOutput == null && lastAffine == null) {
            throw new IllegalStateException("batch norm " + layerId() + ": backward without a training forward");
        }
        if (lastAffine != null && !BatchNormKernels.supported(dy)) { // the forward pass took the kernels: so does this
            dy = WorkspaceArrays.contiguous(dy.castTo(x.dataType()), ArrayType.BP_WORKING_MEM, workspaceMgr);
        }
        if (BatchNormKernels.supported(x, dy) && (!relu() || lastAffine != null)) {
            return kernelBackward(x, dy, workspaceMgr);
        }
        if (relu()) {
            dy = ReluMask.apply(lastOutput, dy, workspaceMgr);
            lastOutput = null;
        }
        long n = x.size(0);
        long c = x.size(1);
        long pixels = x.size(2) * x.size(3);
        long m = n * pixels;
        double eps = layerConf().getEps();
        INDArray gamma = getParam(BatchNormalizationParamInitializer.GAMMA).reshape(c);
        INDArray x2 = x.reshape('c', n * c, pixels);
        INDArray dy2 = dy.reshape('c', n * c, pixels);
        INDArray epsNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        INDArray dx2 = epsNext.reshape('c', n * c, pixels);

        INDArray invStd = Transforms.pow(batchVar.add(eps), -0.5, false);
        INDArray dBeta = channelSums(rowSums(dy2, workspaceMgr, ArrayType.BP_WORKING_MEM), n, c);
        centre(x2, batchMean, n, dx2);                                                // x - mean
        INDArray dyXmu = channelSums(Nd4j.exec(new Dot(dy2, dx2, 1)), n, c);          // sum dy (x - mean)
        INDArray dGamma = dyXmu.mul(invStd);
        // dx = gamma/std * (dy - dBeta/m - (x - mean) * sum(dy (x - mean)) / (m var')), var' = var + eps
        INDArray xmuScale = dyXmu.mul(invStd).muli(invStd).divi(-m);
        dx2.muliColumnVector(perRow(xmuScale, n)).addi(dy2).addiColumnVector(perRow(dBeta.div(-m), n))
                .muliColumnVector(perRow(gamma.mul(invStd), n));

        INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        dGammaView.assign(dGamma.reshape(dGammaView.shape()));
        dBetaView.assign(dBeta.reshape(dBetaView.shape()));
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        runningStatisticUpdates(gradient, c);
        return new Pair<>(gradient, epsNext);
    }

    /** The forward pass through {@link BatchNormKernels} (float arrays on the CPU). */
    private INDArray kernelForward(INDArray x, INDArray out, INDArray gamma, INDArray beta, boolean training, int n,
                                   int c, int pixels) {
        double[] mean;
        double[] var;
        if (training) {
            double[][] stats = BatchNormKernels.statistics(x, n, c, pixels);
            mean = stats[0];
            var = stats[1];
            keepBatchStatistics(mean, var);
        } else {
            mean = ChannelVectors.read(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            double[] log10Std = ChannelVectors.read(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            var = new double[c];
            for (int ch = 0; ch < c; ch++) {
                var[ch] = Math.pow(10.0, 2 * log10Std[ch]); // stored: log10(std), var = std^2
            }
        }
        BatchNormKernels.Affine affine = BatchNormKernels.normalize(x, out, n, c, pixels, mean, var,
                ChannelVectors.read(gamma), ChannelVectors.read(beta), layerConf().getEps(), relu());
        lastAffine = relu() && training ? affine : null;
        lastOutput = null;
        return out;
    }

    /** The backward pass through {@link BatchNormKernels}, the ReLU mask (if fused) recomputed from the input. */
    private Pair<Gradient, INDArray> kernelBackward(INDArray x, INDArray dy, LayerWorkspaceMgr workspaceMgr) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int pixels = (int) (x.size(2) * x.size(3));
        INDArray epsNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        double[][] g = BatchNormKernels.backward(x, dy, relu() ? lastAffine : null, epsNext, n, c, pixels,
                ChannelVectors.read(batchMean), ChannelVectors.read(batchVar),
                ChannelVectors.read(getParam(BatchNormalizationParamInitializer.GAMMA)), layerConf().getEps());
        lastAffine = null;
        INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        ChannelVectors.write(dGammaView, g[0]);
        ChannelVectors.write(dBetaView, g[1]);
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        runningStatisticUpdates(gradient, c);
        return new Pair<>(gradient, epsNext);
    }

    /**
     * DL4J's running statistics: its updater applies these "gradients" as {@code param -= gradient} (no learning
     * rate, no division by the batch size), so mean(t+1) = d mean(t) + (1-d) batchMean and
     * var(t+1) = d var(t) + (1-d) batchVar, stored as log10(std).
     */
    private void runningStatisticUpdates(Gradient gradient, long c) {
        double decay = layerConf().getDecay();
        double[] globalMean = ChannelVectors.read(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] globalLog10Std = ChannelVectors.read(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
        double[] mean = ChannelVectors.read(batchMean);
        double[] var = ChannelVectors.read(batchVar);
        double[] meanUpdate = new double[(int) c];
        double[] log10StdUpdate = new double[(int) c];
        for (int ch = 0; ch < c; ch++) { // a few hundred values: plain Java, no array operations
            meanUpdate[ch] = (globalMean[ch] - mean[ch]) * (1 - decay);
            double vari = Math.pow(10.0, 2 * globalLog10Std[ch]);
            double varip1 = decay * vari + (1 - decay) * var[ch];
            log10StdUpdate[ch] = Math.log(vari / varip1) / (2.0 * Math.log(10));
        }
        INDArray dMean = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray dLog10Std = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
        ChannelVectors.write(dMean, meanUpdate);
        ChannelVectors.write(dLog10Std, log10StdUpdate);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMean);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_LOG_STD, dLog10Std);
    }

    private void keepBatchStatistics(double[] mean, double[] var) {
        allocateBatchStatistics(mean.length);
        ChannelVectors.write(batchMean, mean);
        ChannelVectors.write(batchVar, var);
    }

    private void allocateBatchStatistics(long c) {
        if (batchMean == null || batchMean.length() != c || batchMean.dataType() != dataType) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                batchMean = Nd4j.create(dataType, c);
                batchVar = Nd4j.create(dataType, c);
            }
        }
    }

    private void keepBatchStatistics(INDArray mean, INDArray var) {
        allocateBatchStatistics(mean.length());
        batchMean.assign(mean);
        batchVar.assign(var);
    }

    /** Per-row sums of a [rows, pixels] array: a matrix-vector product with ones (BLAS, one pass). */
    private INDArray rowSums(INDArray rows, LayerWorkspaceMgr mgr, ArrayType type) {
        INDArray ones = mgr.createUninitialized(type, dataType, new long[]{rows.size(1), 1}, 'c').assign(1);
        INDArray sums = Nd4j.create(dataType, rows.size(0), 1);
        return Nd4j.gemm(rows, ones, sums, false, false, 1.0, 0.0);
    }

    /**
     * {@code rows - mean} (per channel) into {@code result}, as a copy and an in-place column broadcast: ND4J's
     * {@code BroadcastSubOp} writing into another array made the whole training step 30% slower.
     */
    private static void centre(INDArray rows, INDArray mean, long n, INDArray result) {
        result.assign(rows).subiColumnVector(perRow(mean, n));
    }

    /** Per-(image, channel) values [N*C] summed over the images: [C]. */
    private static INDArray channelSums(INDArray perRow, long n, long c) {
        return perRow.reshape('c', n, c).sum(0);
    }

    /** A per-channel vector [C] repeated for every image, as the column [N*C, 1] the row view broadcasts. */
    private static INDArray perRow(INDArray perChannel, long n) {
        long c = perChannel.length();
        return perChannel.reshape(1, c).repeat(0, n).reshape('c', n * c, 1);
    }

}
