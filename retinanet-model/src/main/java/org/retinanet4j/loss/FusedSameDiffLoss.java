package org.retinanet4j.loss;

import java.lang.ref.WeakReference;
import java.util.Arrays;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.lossfunctions.SameDiffLoss;

/**
 * A {@link SameDiffLoss} whose SameDiff graph ({@link #defineLoss}) is the readable definition of the loss, and
 * whose score and gradient run by default through a fused kernel: one pass over the elements that computes the
 * value or the analytic gradient directly.
 *
 * <p>Why the fused path: on RetinaNet's [1, 120,000 * 80] logits the SameDiff graph runs about 15 element-wise
 * ops forward and some 40 backward, each over 38 MB, and M2.1's gradient session allocates a fresh array per op;
 * it is several times slower than torchvision (docs/benchmarks.md). Both paths are tested against the same
 * torchvision fixtures. {@code -Dretinanet.loss.sameDiffGraph=true} makes every instance use the graph; on a GPU
 * backend the graph is the default (the fused kernel runs on the host).
 *
 * <p>DL4J's {@code LossLayer} asks for the gradient and then, with the same label and output arrays, for the
 * score. The gradient pass adds up the score as it goes (the same sums, in the same order: the score is equal to
 * the last bit), and the score call that follows on the same arrays, on the same thread, takes it instead of a
 * second pass over every element ({@link LastScores}; any other call computes the score afresh). Arrays changed in
 * place between the two calls would get the score of their earlier contents: DL4J never does that.
 *
 * <p>The graph is built outside DL4J's workspaces: {@code SameDiffLoss} builds it lazily on the first call, which
 * DL4J makes inside a layer workspace, and the graph's arrays would then live in that workspace (NaN scores or
 * "leaked workspace pointer" errors). It is rebuilt when the output's data type changes.
 */
public abstract class FusedSameDiffLoss extends SameDiffLoss {

    /** System property that routes every instance through the SameDiff graph instead of the fused kernel. */
    public static final String GRAPH_PROPERTY = "retinanet.loss.sameDiffGraph";

    private transient DataType graphDataType;
    private transient Boolean sameDiffGraph;
    private transient ThreadLocal<LastScores> lastScores = new ThreadLocal<>();

    /**
     * The per-image scores the last gradient pass on this thread added up, and the arrays it read (held weakly,
     * compared by identity and memory); taken by the next score call or dropped by any other.
     */
    private record LastScores(WeakReference<INDArray> labels, WeakReference<INDArray> preOutput, long labelsAt,
                              long preOutputAt, IActivation activation, double[] rows) {
        static LastScores of(INDArray labels, INDArray preOutput, IActivation activation, double[] rows) {
            return new LastScores(new WeakReference<>(labels), new WeakReference<>(preOutput), at(labels),
                    at(preOutput), activation, rows);
        }

        boolean isFor(INDArray labels, INDArray preOutput, IActivation activation) {
            return labels != null && preOutput != null && this.labels.get() == labels
                    && this.preOutput.get() == preOutput && this.activation == activation && labelsAt == at(labels)
                    && preOutputAt == at(preOutput);
        }

        private static long at(INDArray a) {
            return a == null ? 0 : a.data().address() + a.offset() * a.dataType().width();
        }
    }

    /** The per-image scores of a gradient pass just made for these arrays, or null; clears them either way. */
    private double[] takeLastScores(INDArray labels, INDArray preOutput, IActivation activation) {
        ThreadLocal<LastScores> holder = lastScores();
        LastScores last = holder.get();
        holder.remove();
        return last != null && last.isFor(labels, preOutput, activation) ? last.rows() : null;
    }

    private ThreadLocal<LastScores> lastScores() {
        if (lastScores == null) { // after deserialisation
            lastScores = new ThreadLocal<>();
        }
        return lastScores;
    }

    protected FusedSameDiffLoss() {
        super();
    }

    /**
     * Throws {@link IllegalArgumentException} naming the problem (shape, or the first bad value with its row
     * and column) when the labels cannot be used with this output; one pass over the labels. Every score and
     * gradient call runs it; a data pipeline may call it earlier.
     */
    public final void checkInput(INDArray labels, INDArray output) {
        positivesPerImage(labels, output);
    }

    /** Checks the labels (one pass) and returns the number of positive anchors of each image (row). */
    protected abstract double[] positivesPerImage(INDArray labels, INDArray output);

    /** Values per anchor (K or 4): rows are split into chunks of whole anchors for the parallel passes. */
    protected abstract int valuesPerAnchor(INDArray output);

    /** True for label values that add nothing to loss or gradient (ignored or non-positive anchors). */
    protected abstract boolean skipped(double label);

    /** Loss of one output value against its label. */
    protected abstract double elementLoss(double output, double label);

    /** d(elementLoss)/d(output). */
    protected abstract double elementGradient(double output, double label);

    /**
     * {@link #elementLoss} and {@link #elementGradient} of one element at once (a loss overrides it to share their
     * work; both values must equal the separate methods' exactly): returns the loss, writes the gradient to
     * {@code gradient[0]}.
     */
    protected double elementLossAndGradient(double output, double label, double[] gradient) {
        gradient[0] = elementGradient(output, label);
        return elementLoss(output, label);
    }

    /** The settings that make two losses of one class equal (alpha and gamma, type and beta). */
    protected abstract Object[] settings();

    @Override
    public final boolean equals(Object o) {
        return this == o || o != null && o.getClass() == getClass()
                && Arrays.equals(settings(), ((FusedSameDiffLoss) o).settings());
    }

    @Override
    public final int hashCode() {
        return 31 * getClass().hashCode() + Arrays.hashCode(settings());
    }

    /** Per-example scores [N, 1]: per image, the sum over non-skipped values / max(1, positives). */
    protected final INDArray fusedScoreArray(INDArray labels, INDArray output) {
        double[] positives = positivesPerImage(labels, output);
        double[] sums;
        try (FlatArrays.FlatValues y = FlatArrays.read(labels); FlatArrays.FlatValues x = FlatArrays.read(output)) {
            sums = RowChunks.sumPerRow(positives.length, (int) output.size(1), valuesPerAnchor(output),
                    (row, from, to) -> {
                        double sum = 0;
                        for (int i = from; i < to; i++) {
                            double label = y.get(i);
                            if (!skipped(label)) {
                                sum += elementLoss(x.get(i), label);
                            }
                        }
                        return sum;
                    });
        }
        return FlatArrays.column(perImage(sums, positives), output);
    }

    /** The gradient and the per-example scores of one pass (see {@link #fusedScoreArray}). */
    protected record GradientAndScores(INDArray gradient, double[] scores) {
    }

    /**
     * d(sum of per-example scores)/d(output), shaped like the output, and the per-example scores (the same sums
     * as {@link #fusedScoreArray}'s, in the same order).
     */
    protected final GradientAndScores fusedGradient(INDArray labels, INDArray output) {
        double[] positives = positivesPerImage(labels, output);
        INDArray gradient = FlatArrays.newLike(output);
        double[] sums;
        try (FlatArrays.FlatValues y = FlatArrays.read(labels); FlatArrays.FlatValues x = FlatArrays.read(output);
             FlatArrays.FlatWriter g = FlatArrays.writer(gradient)) {
            sums = RowChunks.sumPerRow(positives.length, (int) output.size(1), valuesPerAnchor(output),
                    (row, from, to) -> {
                        double scale = 1.0 / Math.max(1, positives[row]);
                        double[] d = new double[1];
                        double sum = 0;
                        for (int i = from; i < to; i++) {
                            double label = y.get(i);
                            if (skipped(label)) {
                                g.set(i, 0);
                            } else {
                                sum += elementLossAndGradient(x.get(i), label, d);
                                g.set(i, scale * d[0]);
                            }
                        }
                        return sum;
                    });
        }
        return new GradientAndScores(gradient, perImage(sums, positives));
    }

    /** Each image's sum divided by max(1, its positives): torchvision's per-image normalisation. In place. */
    private static double[] perImage(double[] sums, double[] positives) {
        for (int r = 0; r < sums.length; r++) {
            sums[r] /= Math.max(1, positives[r]);
        }
        return sums;
    }

    /** For tests, benchmarks and diagnosis: true routes this instance through the SameDiff graph. */
    public void useSameDiffGraph(boolean useGraph) {
        this.sameDiffGraph = useGraph;
    }

    /** Explicit choice, else the system property, else the graph on GPU backends (it runs on the device). */
    private boolean graphPath() {
        if (sameDiffGraph != null) {
            return sameDiffGraph;
        }
        return Boolean.getBoolean(GRAPH_PROPERTY) || !Nd4j.getEnvironment().isCPU();
    }

    @Override
    protected void createSameDiffInstance(DataType dataType) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            super.createSameDiffInstance(dataType);
            graphDataType = dataType;
        }
    }

    /**
     * As {@link SameDiffLoss#computeScore} (sum of the per-image scores, divided by the batch when averaging), but
     * without building the SameDiff graph first on the fused path: the base class builds it (and its gradient
     * function, which prints a line per op on standard output) on every first call.
     */
    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        if (graphPath()) {
            prepareGraph(preOutput);
            return super.computeScore(labels, preOutput, activationFn, mask, average);
        }
        INDArray scores = computeScoreArray(labels, preOutput, activationFn, mask);
        double score = scores.sumNumber().doubleValue();
        return average ? score / scores.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (graphPath()) {
            return super.computeScoreArray(graphLabels(labels, preOutput), preOutput, activationFn, mask);
        }
        double[] fromGradient = takeLastScores(labels, preOutput, activationFn);
        if (fromGradient != null) {
            return masked(FlatArrays.column(fromGradient, preOutput), mask);
        }
        INDArray output = activate(preOutput, activationFn);
        return masked(fusedScoreArray(castLike(labels, output), output), mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (graphPath()) {
            return super.computeGradient(graphLabels(labels, preOutput), preOutput, activationFn, mask);
        }
        lastScores().remove();
        INDArray output = activate(preOutput, activationFn);
        GradientAndScores pass = fusedGradient(castLike(labels, output), output);
        lastScores().set(LastScores.of(labels, preOutput, activationFn, pass.scores()));
        INDArray gradient = pass.gradient();
        if (!(activationFn instanceof ActivationIdentity)) {
            gradient = activationFn.backprop(preOutput.dup(), gradient).getFirst();
        }
        return masked(gradient, mask);
    }

    /** Graph path: checks the labels, readies the graph for the output's data type, casts the labels like it. */
    private INDArray graphLabels(INDArray labels, INDArray preOutput) {
        checkInput(labels, preOutput);
        prepareGraph(preOutput);
        return castLike(labels, preOutput);
    }

    private static INDArray masked(INDArray values, INDArray mask) {
        if (mask != null) {
            LossUtil.applyMask(values, mask);
        }
        return values;
    }

    /** The losses expect Activation.IDENTITY; anything else is applied (on a copy) as DL4J's losses do. */
    private static INDArray activate(INDArray preOutput, IActivation activationFn) {
        if (activationFn == null || activationFn instanceof ActivationIdentity) {
            return preOutput;
        }
        return activationFn.getActivation(preOutput.dup(), true);
    }

    /** Drops a graph built for another data type, so the base class builds a fresh one. */
    private void prepareGraph(INDArray preOutput) {
        if (sd != null && graphDataType != preOutput.dataType()) {
            sd = null;
            scorePerExampleVariable = null;
        }
    }

    /** The graph's label placeholder has the output's data type; DL4J may hand float labels to a double net. */
    private static INDArray castLike(INDArray labels, INDArray output) {
        return labels == null || labels.dataType() == output.dataType() ? labels : labels.castTo(output.dataType());
    }
}
