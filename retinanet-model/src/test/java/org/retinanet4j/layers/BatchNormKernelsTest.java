package org.retinanet4j.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one-pass statistics keep the variance of channels whose mean dwarfs their spread (where sums of x and x^2
 * would cancel every digit in float and most in double): compared with a two-pass variance in double precision.
 */
class BatchNormKernelsTest {

    @Test
    void onePassStatisticsKeepTheVarianceOfOffsetChannels() {
        Nd4j.getRandom().setSeed(3);
        int n = 3;
        int c = 4;
        int pixels = 50 * 41;
        INDArray x = Nd4j.randn(DataType.FLOAT, n, c, 50, 41);
        double[] offsets = {0, -7, 3e3, 2e4};
        double[] spreads = {1, 0.5, 0.1, 0.01};
        for (int ch = 0; ch < c; ch++) {
            INDArray channel = x.get(NDArrayIndex.all(),
                    NDArrayIndex.point(ch));
            channel.muli(spreads[ch]).addi(offsets[ch]);
        }
        double[][] stats = BatchNormKernels.statistics(x, n, c, pixels);
        INDArray xd = x.castTo(DataType.DOUBLE);
        for (int ch = 0; ch < c; ch++) {
            INDArray values = xd.get(NDArrayIndex.all(),
                    NDArrayIndex.point(ch)).dup().reshape(-1);
            double mean = values.meanNumber().doubleValue();
            double var = values.sub(mean).norm2Number().doubleValue();
            var = var * var / values.length();
            assertEquals(mean, stats[0][ch], 1e-9 * Math.max(1, Math.abs(mean)), "mean of channel " + ch);
            assertEquals(var, stats[1][ch], 1e-6 * var, "variance of channel " + ch);
        }
    }
}
