package org.retinanet4j.onednn;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneDNN's primitives against libnd4j's {@code conv2d}/{@code conv2d_bp} (computed in double): output, input
 * gradient, weight and bias gradients, for both weight layouts, and when a backward pass follows a forward pass
 * over another input (the kept blocked copy of the input must not be used then).
 */
class ConvolutionPrimitivesTest {

    @BeforeAll
    static void oneDnnPresent() {
        Assumptions.assumeTrue(OneDnn.enabled(), "oneDNN is not loaded here (not a CPU backend, or switched off)");
    }

    @ParameterizedTest(name = "k{0} s{1} p{2} {3} relu {4}, {5} -> {6} channels on {7}x{8}")
    @CsvSource({"3,1,1,OIHW,false,5,7,9,8", "3,2,1,OIHW,true,16,32,10,12", "7,2,3,OIHW,false,3,16,17,15",
            "3,1,1,HWIO,true,16,9,6,7"})
    void matchesLibnd4j(int k, int s, int p, WeightLayout layout, boolean relu, int cIn, int cOut, int h, int w) {
        Nd4j.getRandom().setSeed(21);
        ConvolutionGeometry g = new ConvolutionGeometry(2, cIn, h, w, cOut, k, k, s, s, p, p, 1, 1, layout, true, relu, true);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, cIn, h, w);
        INDArray other = Nd4j.randn(DataType.FLOAT, 2, cIn, h, w);
        INDArray wt = layout == WeightLayout.OIHW ? Nd4j.randn(DataType.FLOAT, cOut, cIn, k, k)
                : Nd4j.randn(DataType.FLOAT, k, k, cIn, cOut);
        INDArray b = Nd4j.randn(DataType.FLOAT, cOut);
        INDArray dy = Nd4j.randn(DataType.FLOAT, 2, cOut, g.outH(), g.outW());
        Reference ref = reference(g, x, wt, b, dy);

        try (ConvolutionPrimitives prims = new ConvolutionPrimitives(g)) {
            for (boolean otherInputBetween : new boolean[]{false, true}) {
                INDArray y = Nd4j.createUninitialized(DataType.FLOAT, 2, cOut, g.outH(), g.outW());
                prims.forward(x, wt, b, y);
                assertClose("output", ref.y, y);
                if (otherInputBetween) {
                    prims.forward(other, wt, b, Nd4j.createUninitialized(DataType.FLOAT, y.shape()));
                }
                INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
                INDArray dw = Nd4j.createUninitialized(DataType.FLOAT, wt.shape());
                INDArray db = Nd4j.createUninitialized(DataType.FLOAT, cOut);
                prims.backward(x, wt, dy.mul(ref.reluMask), dx, dw, db);
                String when = otherInputBetween ? " (another input's forward pass in between)" : "";
                assertClose("input gradient" + when, ref.dx, dx);
                assertClose("weight gradient" + when, ref.dw, dw);
                assertClose("bias gradient" + when, ref.db, db);
            }
        }
    }

    private record Reference(INDArray y, INDArray reluMask, INDArray dx, INDArray dw, INDArray db) {
    }

    /** libnd4j's ops in double on the same numbers; the output gradient passes the ReLU's mask first. */
    private static Reference reference(ConvolutionGeometry g, INDArray x, INDArray w, INDArray b, INDArray dy) {
        int[] args = {g.kH(), g.kW(), g.sH(), g.sW(), g.pH(), g.pW(), 1, 1, 0, 0, g.layout() == WeightLayout.OIHW ? 1 : 0};
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray wd = w.castTo(DataType.DOUBLE);
        INDArray bd = b.castTo(DataType.DOUBLE);
        INDArray y = Nd4j.create(DataType.DOUBLE, 2, g.cOut(), g.outH(), g.outW());
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(xd, wd, bd).addOutputs(y).addIntegerArguments(args).build());
        INDArray mask = g.relu() ? y.gt(0).castTo(DataType.FLOAT) : Nd4j.onesLike(dy);
        if (g.relu()) {
            y.muli(mask.castTo(DataType.DOUBLE));
        }
        INDArray dyd = dy.mul(mask).castTo(DataType.DOUBLE);
        INDArray dx = Nd4j.create(DataType.DOUBLE, xd.shape());
        INDArray dw = Nd4j.create(DataType.DOUBLE, wd.shape());
        INDArray db = Nd4j.create(DataType.DOUBLE, bd.shape());
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(xd, wd, bd, dyd).addOutputs(dx, dw, db)
                .addIntegerArguments(args).build());
        return new Reference(y, mask, dx, dw, db);
    }

    private static void assertClose(String what, INDArray expected, INDArray actual) {
        INDArray a = expected.castTo(DataType.DOUBLE).reshape(expected.length());
        INDArray b = actual.castTo(DataType.DOUBLE).reshape(actual.length());
        double scale = Math.max(1e-3, a.amaxNumber().doubleValue());
        double err = a.sub(b).amaxNumber().doubleValue() / scale;
        assertTrue(err <= 2e-5, what + ": max difference " + err + " of the largest value " + scale);
    }
}
