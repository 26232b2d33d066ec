package org.retinanet4j.head;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.samediff.CorrectedSameDiffVertex;

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
 */
public class SharedConvHeadVertex extends CorrectedSameDiffVertex {
    /**
     * {@code -Dretinanet.head.sameDiffGraph=true} runs the heads through DL4J's SameDiff vertex (the definition
     * in {@link #defineVertex}) instead of {@link SharedConvHeadGraphVertex}; read when a network is built.
     */
    public static final String SAMEDIFF_PROPERTY = "retinanet.head.sameDiffGraph";

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
                -Math.log((1 - priorProbability) / priorProbability));
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

    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> layerInput, Map<String, SDVariable> params,
                                   Map<String, SDVariable> mask) {
        // Explicit padding 1 with VALID mode = PyTorch's Conv2d(kernel 3, padding 1).
        Conv2DConfig conv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO)
                .build();
        SDVariable[] levels = new SDVariable[numLevels];
        // ReLU as max(x, 0), a custom op whose output is sized at every run: the legacy scalar ReLU op crashed
        // (SIGSEGV in ScalarTransform<RELU>) when the batch size changed between calls.
        SDVariable zero = sd.constant(Nd4j.scalar(layerInput.get(levelInputName(0)).dataType(), 0.0));
        for (int l = 0; l < numLevels; l++) {
            SDVariable x = layerInput.get(levelInputName(l));
            for (int i = 0; i < depth; i++) {
                x = sd.math().max(sd.cnn().conv2d(x, params.get(convWeightKey(i)),
                        sd.reshape(params.get(convBiasKey(i)), -1), conv), zero);
            }
            SDVariable out = sd.cnn().conv2d(x, params.get(predictorWeightKey()),
                    sd.reshape(params.get(predictorBiasKey()), -1), conv);
            SDVariable nhwc = sd.permute(out, 0, 2, 3, 1);
            // [N, -1] with N read at run time, so any batch and image size works.
            SDVariable shape = sd.concat(0, sd.reshape(sd.sizeAt(nhwc, 0), 1),
                    sd.constant(Nd4j.createFromArray(-1L)));
            levels[l] = sd.reshape(nhwc, shape);
        }
        return numLevels == 1 ? sd.identity(levels[0]) : sd.concat(1, levels);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        if (Boolean.getBoolean(SAMEDIFF_PROPERTY)) {
            return super.instantiate(graph, name, idx, paramsView, initializeParams, networkDatatype);
        }
        setName(name); // DL4J's updater finds this config by name (see CorrectedSameDiffVertex)
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
    protected CorrectedSameDiffVertex copyVertexSettings() {
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
