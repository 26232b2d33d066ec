package org.retinanet4j.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.retinanet4j.updater.FusedAdam;

/**
 * One Adam step over {@code parameters} float values (the demo's network has 11,297,823): ND4J's {@code Adam}
 * (libnd4j's {@code adam_updater}) against {@link FusedAdam}, which computes the same numbers.
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.AdamBenchmark ./retinanet [parameters=11297823] [runs=20]</pre>
 */
public final class AdamBenchmark {
    private AdamBenchmark() {
    }

    public static void main(String[] args) {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 11_297_823L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Nd4j.getRandom().setSeed(1);
        INDArray gradient = Nd4j.randn(DataType.FLOAT, 1, n);
        for (IUpdater config : new IUpdater[]{new Adam(1e-3), new FusedAdam(1e-3, 0.9, 0.999, 1e-8)}) {
            GradientUpdater<?> updater = config.instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2 * n), true);
            INDArray g = gradient.dup();
            long[] times = new long[runs];
            for (int i = -3; i < runs; i++) { // three warm-up steps
                g.assign(gradient);
                long t0 = System.nanoTime();
                updater.applyUpdater(g, Math.max(0, i), 0);
                if (i >= 0) {
                    times[i] = System.nanoTime() - t0;
                }
            }
            System.out.printf("%s, %d parameters: %s%n", config.getClass().getSimpleName(), n, BenchTimes.describe(times));
        }
    }
}
