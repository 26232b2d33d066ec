package org.retinanet4j.head;

import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.samediff.GradientCorrectedSameDiffGraphVertex;

/**
 * The shared head written as a SameDiff graph and run by DL4J's SameDiff vertex (with the M2.1 gradient doubling
 * undone): the reference that {@link SharedConvHeadGraphVertex}, the head's runtime, is checked against. Same
 * parameters, keys and layout as {@link SharedConvHeadVertex}; only the runtime differs. It was the main code's
 * fallback until measurement showed it slower in every case (docs/benchmarks.md, "Shared head").
 */
public class SameDiffHeadVertex extends SharedConvHeadVertex {

    /** For JSON. */
    public SameDiffHeadVertex() {
    }

    /** The SameDiff twin of {@code head} (same settings). */
    public SameDiffHeadVertex(SharedConvHeadVertex head) {
        super(head.getNumLevels(), head.getInChannels(), head.getWidth(), head.getDepth(), head.getNumAnchors(),
                head.getOutputsPerAnchor(), head.getPredictorName(), head.getPredictorBiasInit());
        setWeightStd(head.getWeightStd());
    }

    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> layerInput, Map<String, SDVariable> params,
                                   Map<String, SDVariable> mask) {
        // Explicit padding 1 with VALID mode = PyTorch's Conv2d(kernel 3, padding 1).
        Conv2DConfig conv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO)
                .build();
        SDVariable[] levels = new SDVariable[getNumLevels()];
        // ReLU as max(x, 0), a custom op whose output is sized at every run: the legacy scalar ReLU op crashed
        // (SIGSEGV in ScalarTransform<RELU>) when the batch size changed between calls.
        SDVariable zero = sd.constant(Nd4j.scalar(layerInput.get(levelInputName(0)).dataType(), 0.0));
        for (int l = 0; l < getNumLevels(); l++) {
            SDVariable x = layerInput.get(levelInputName(l));
            for (int i = 0; i < getDepth(); i++) {
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
        return getNumLevels() == 1 ? sd.identity(levels[0]) : sd.concat(1, levels);
    }

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        setName(name);
        return new GradientCorrectedSameDiffGraphVertex(this, graph, name, idx, paramsView, initializeParams,
                networkDatatype);
    }

    @Override
    protected SharedConvHeadVertex copyHeadSettings() {
        return new SameDiffHeadVertex(this);
    }
}
