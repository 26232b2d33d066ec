package org.retinanet4j.head;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;

/**
 * A RetinaNet subnet (classification or box regression) applied with ONE set of weights to every pyramid
 * level, as torchvision's {@code RetinaNetClassificationHead} / {@code RetinaNetRegressionHead} do.
 *
 * <p>Inputs: the pyramid levels P3..P7 ({@code [N, C, H_l, W_l]}, any spatial sizes; shapes are read at run
 * time, so one graph serves every input size). Per level: {@code depth} x [conv3x3 (pad 1) + ReLU], then the
 * predictor conv3x3 with {@code numAnchors * outputsPerAnchor} channels. Output {@code [N, sum_l H_l*W_l*A*V]}
 * in torchvision's layout: the conv output {@code [N, A*V, H, W]} is permuted to {@code [N, H, W, A*V]} and
 * flattened (row, column, anchor, value), levels concatenated in input order.
 *
 * <p>Parameter keys and their torchvision counterparts ({@code P} = {@code head.classification_head} or
 * {@code head.regression_head}; the graph prefixes each key with the vertex name and '_', e.g.
 * {@code cls_head_conv0W}; keys contain no '_' because DL4J's updater splits gradient keys at the last '_'):
 * <pre>
 *   conv{i}W    [3, 3, cIn, cOut]   &lt;- P.conv.{i}.0.weight [cOut, cIn, 3, 3] permuted (2, 3, 1, 0)
 *   conv{i}b    [1, cOut]           &lt;- P.conv.{i}.0.bias
 *   clsLogitsW  [3, 3, cIn, A*K]    &lt;- head.classification_head.cls_logits.weight, permuted (2, 3, 1, 0)
 *   clsLogitsb  [1, A*K]            &lt;- head.classification_head.cls_logits.bias
 *   bboxRegW    [3, 3, cIn, A*4]    &lt;- head.regression_head.bbox_reg.weight, permuted (2, 3, 1, 0)
 *   bboxRegb    [1, A*4]            &lt;- head.regression_head.bbox_reg.bias
 * </pre>
 * Initialisation as torchvision: weights normal(0, 0.01), biases 0, predictor bias {@code predictorBiasInit}
 * ({@code -log((1 - pi) / pi)} for classification).
 *
 * <p>This is the vertex's configuration (the class saved graphs name); it runs as {@link SharedConvHeadGraphVertex}.
 * It extends DL4J's {@link SameDiffVertex} for the parameter layout, per-vertex updater settings and JSON that DL4J
 * gives SameDiff vertices; it has no SameDiff graph of its own. The same head written as a SameDiff graph, run by
 * DL4J's SameDiff vertex, is the test suite's reference for this one (measured slower in every case:
 * docs/benchmarks.md, "Shared head").
 */
public class SharedConvHeadVertex extends SameDiffVertex {

    private int numLevels;
    private int inChannels;
    private int width;
    private int depth;
    private int numAnchors;
    private int outputsPerAnchor;
    private String predictorName;
    private double predictorBiasInit;
    private double weightStd = 0.01;

    /** For JSON. */
    public SharedConvHeadVertex() {
    }

    public SharedConvHeadVertex(int numLevels, int inChannels, int width, int depth, int numAnchors,
                                int outputsPerAnchor, String predictorName, double predictorBiasInit) {
        this.numLevels = numLevels;
        this.inChannels = inChannels;
        this.width = width;
        this.depth = depth;
        this.numAnchors = numAnchors;
        this.outputsPerAnchor = outputsPerAnchor;
        this.predictorName = predictorName;
        this.predictorBiasInit = predictorBiasInit;
    }

    /** torchvision's classification subnet: predictor {@code cls_logits}, bias from the prior probability. */
    public static SharedConvHeadVertex classification(int numLevels, int inChannels, int width, int depth,
                                                      int numAnchors, int numClasses, double priorProbability) {
        return new SharedConvHeadVertex(numLevels, inChannels, width, depth, numAnchors, numClasses, "clsLogits",
                priorBias(priorProbability));
    }

    /** The classification predictor's initial bias for prior probability {@code pi}: {@code -log((1 - pi) / pi)}. */
    public static double priorBias(double priorProbability) {
        return -Math.log((1 - priorProbability) / priorProbability);
    }

    /** torchvision's box regression subnet: predictor {@code bbox_reg}, 4 values per anchor, bias 0. */
    public static SharedConvHeadVertex regression(int numLevels, int inChannels, int width, int depth,
                                                  int numAnchors) {
        return new SharedConvHeadVertex(numLevels, inChannels, width, depth, numAnchors, 4, "bboxReg", 0.0);
    }

    /** Keys hold no '_': DL4J's updater finds a parameter's vertex by the key's last '_'. */
    static String convWeightKey(int i) {
        return "conv" + i + "W";
    }

    static String convBiasKey(int i) {
        return "conv" + i + "b";
    }

    String predictorWeightKey() {
        return predictorName + "W";
    }

    String predictorBiasKey() {
        return predictorName + "b";
    }

    static String levelInputName(int level) {
        return "level" + level;
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        String[] inputs = new String[numLevels];
        for (int l = 0; l < numLevels; l++) {
            inputs[l] = levelInputName(l);
        }
        params.defineInputs(inputs);
        int cIn = inChannels;
        for (int i = 0; i < depth; i++) {
            params.addWeightParam(convWeightKey(i), 3, 3, cIn, width);
            params.addBiasParam(convBiasKey(i), 1, width);
            cIn = width;
        }
        params.addWeightParam(predictorWeightKey(), 3, 3, cIn, (long) numAnchors * outputsPerAnchor);
        params.addBiasParam(predictorBiasKey(), 1, (long) numAnchors * outputsPerAnchor);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray p = e.getValue();
            if (e.getKey().endsWith("W")) {
                p.assign(Nd4j.randn(p.dataType(), p.shape()).muli(weightStd));
            } else if (e.getKey().equals(predictorBiasKey())) {
                p.assign(predictorBiasInit);
            } else {
                p.assign(0);
            }
        }
    }

    /** Not used: the head runs as {@link SharedConvHeadGraphVertex}, which never builds a SameDiff graph. */
    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> layerInput, Map<String, SDVariable> params,
                                   Map<String, SDVariable> mask) {
        throw new UnsupportedOperationException("head " + getName() + ": the shared head runs as "
                + "SharedConvHeadGraphVertex and has no SameDiff definition");
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        // DL4J's updater maps gradient keys "<name>_<param>" back to this config through getLayerName():
        // without the name it finds nothing and throws a NullPointerException in preApply.
        setName(name);
        return new SharedConvHeadGraphVertex(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != numLevels) {
            throw new InvalidInputTypeException("Head vertex expects " + numLevels + " pyramid levels, got "
                    + vertexInputs.length);
        }
        long total = 0;
        for (InputType t : vertexInputs) {
            if (!(t instanceof InputType.InputTypeConvolutional c)) {
                throw new InvalidInputTypeException("Head vertex inputs must be convolutional, got " + t);
            }
            if (c.getChannels() != inChannels) {
                throw new InvalidInputTypeException("Head vertex expects " + inChannels + " channels, got "
                        + c.getChannels());
            }
            total += c.getHeight() * c.getWidth() * numAnchors * outputsPerAnchor;
        }
        return InputType.feedForward(total);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        // Detection images carry no masks; pass the state through instead of the base class's exception.
        return new Pair<>(null, currentMaskState);
    }

    /**
     * A copy that keeps the settings the network configuration applied (updater, bias updater, regularisation,
     * gradient normalisation, data type, name), which {@code ComputationGraph.clone()} and {@code ParallelWrapper}
     * need; DL4J's own clone of a SameDiff vertex loses them.
     */
    @Override
    public GraphVertex clone() {
        SharedConvHeadVertex copy = copyHeadSettings();
        copy.setUpdater(updater == null ? null : updater.clone());
        copy.setBiasUpdater(biasUpdater == null ? null : biasUpdater.clone());
        copy.setRegularization(regularization == null ? null : new ArrayList<>(regularization));
        copy.setRegularizationBias(regularizationBias == null ? null : new ArrayList<>(regularizationBias));
        copy.setGradientNormalization(gradientNormalization);
        copy.setGradientNormalizationThreshold(gradientNormalizationThreshold);
        copy.setDataType(dataType);
        copy.setName(getName());
        return copy;
    }

    /** A new vertex of this class with this one's head settings (a subclass returns its own class). */
    protected SharedConvHeadVertex copyHeadSettings() {
        SharedConvHeadVertex v = new SharedConvHeadVertex(numLevels, inChannels, width, depth, numAnchors,
                outputsPerAnchor, predictorName, predictorBiasInit);
        v.setWeightStd(weightStd);
        return v;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SharedConvHeadVertex v) || !super.equals(o)) {
            return false;
        }
        return numLevels == v.numLevels && inChannels == v.inChannels && width == v.width && depth == v.depth
                && numAnchors == v.numAnchors && outputsPerAnchor == v.outputsPerAnchor
                && Double.compare(predictorBiasInit, v.predictorBiasInit) == 0
                && Double.compare(weightStd, v.weightStd) == 0 && Objects.equals(predictorName, v.predictorName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), numLevels, inChannels, width, depth, numAnchors, outputsPerAnchor,
                predictorName, predictorBiasInit, weightStd);
    }

    public int getNumLevels() {
        return numLevels;
    }

    public void setNumLevels(int numLevels) {
        this.numLevels = numLevels;
    }

    public int getInChannels() {
        return inChannels;
    }

    public void setInChannels(int inChannels) {
        this.inChannels = inChannels;
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public int getDepth() {
        return depth;
    }

    public void setDepth(int depth) {
        this.depth = depth;
    }

    public int getNumAnchors() {
        return numAnchors;
    }

    public void setNumAnchors(int numAnchors) {
        this.numAnchors = numAnchors;
    }

    public int getOutputsPerAnchor() {
        return outputsPerAnchor;
    }

    public void setOutputsPerAnchor(int outputsPerAnchor) {
        this.outputsPerAnchor = outputsPerAnchor;
    }

    public String getPredictorName() {
        return predictorName;
    }

    public void setPredictorName(String predictorName) {
        this.predictorName = predictorName;
    }

    public double getPredictorBiasInit() {
        return predictorBiasInit;
    }

    public void setPredictorBiasInit(double predictorBiasInit) {
        this.predictorBiasInit = predictorBiasInit;
    }

    public double getWeightStd() {
        return weightStd;
    }

    public void setWeightStd(double weightStd) {
        this.weightStd = weightStd;
    }
}
