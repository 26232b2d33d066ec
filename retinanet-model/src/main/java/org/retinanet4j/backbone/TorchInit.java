package org.retinanet4j.backbone;

import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;

/** torchvision's convolution initialisations, as DL4J weight inits sized for one layer. */
public final class TorchInit {
    private TorchInit() {
    }

    /** {@code kaiming_normal_(mode="fan_out", nonlinearity="relu")}: N(0, sqrt(2 / (cOut*k*k))). ResNet convs. */
    public static IWeightInit kaimingNormalFanOut(int cOut, int kernel) {
        return new WeightInitDistribution(new NormalDistribution(0, Math.sqrt(2.0 / ((double) cOut * kernel * kernel))));
    }

    /** {@code kaiming_uniform_(a=1)}: U(-sqrt(3 / fanIn), sqrt(3 / fanIn)), fanIn = cIn*k*k. FPN convs. */
    public static IWeightInit kaimingUniformA1(int cIn, int kernel) {
        double bound = Math.sqrt(3.0 / ((double) cIn * kernel * kernel));
        return new WeightInitDistribution(new UniformDistribution(-bound, bound));
    }
}
