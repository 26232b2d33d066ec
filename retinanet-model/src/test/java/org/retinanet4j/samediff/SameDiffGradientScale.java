package org.retinanet4j.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.util.SameDiffUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures, once per JVM, the factor that undoes DL4J 1.0.0-M2.1's doubling of gradients that leave a
 * SameDiff vertex.
 *
 * <p>In M2.1 {@code ExternalErrorsFunction.doDiff} both registers the incoming gradient and returns it, so the
 * backward pass adds it to itself: parameter gradients and input errors come out exactly 2x. The factor is
 * measured on a one-op graph ({@code y = x * w}, {@code dL/dy = 1}) built the same way as DL4J's vertex
 * (placeholder input, variable parameter, external errors), so it becomes 1 (a no-op) on a release that
 * fixes the bug, and any other integer multiple is corrected too.
 */
public final class SameDiffGradientScale {
    private static final Logger log = LoggerFactory.getLogger(SameDiffGradientScale.class);
    private static volatile Factors factors;

    /** Multipliers that turn what SameDiff returns into the true gradients. */
    public record Factors(double parameterScale, double inputScale) {
        boolean isIdentity() {
            return parameterScale == 1.0 && inputScale == 1.0;
        }
    }

    private SameDiffGradientScale() {
    }

    /** The correction factors, measured on the first call. */
    public static Factors factors() {
        Factors f = factors;
        if (f == null) {
            synchronized (SameDiffGradientScale.class) {
                f = factors;
                if (f == null) {
                    f = measure();
                    factors = f;
                }
            }
        }
        return f;
    }

    private static Factors measure() {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
            SDVariable w = sd.var("w", Nd4j.createFromArray(3.0, 3.0).reshape(1, 2));
            SDVariable y = x.mul("y", w);
            ExternalErrorsFunction fn = SameDiffUtils.externalErrors(sd, null, y);
            fn.outputVariable();
            sd.createGradFunction("x");

            Map<String, INDArray> feed = new HashMap<>();
            feed.put("x", Nd4j.createFromArray(5.0, 5.0).reshape(1, 2));
            feed.put(fn.getGradPlaceholderName(), Nd4j.ones(DataType.DOUBLE, 1, 2));
            Map<String, INDArray> grads = sd.calculateGradients(feed, List.of("x", "w"));
            // True values: dL/dx = w = 3, dL/dw = x = 5.
            double inputGrad = grads.get("x").getDouble(0);
            double paramGrad = grads.get("w").getDouble(0);
            Factors f = new Factors(5.0 / paramGrad, 3.0 / inputGrad);
            if (f.isIdentity()) {
                log.info("SameDiff vertex gradients are exact on this ND4J build: no correction applied");
            } else {
                log.info("SameDiff vertex gradient correction: parameters x{}, inputs x{} (DL4J M2.1 bug)",
                        f.parameterScale(), f.inputScale());
            }
            return f;
        }
    }
}
