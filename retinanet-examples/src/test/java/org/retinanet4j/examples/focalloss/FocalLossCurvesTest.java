package org.retinanet4j.examples.focalloss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.retinanet4j.loss.FocalLoss;

/**
 * The curves of the focal-loss notebook's Figure 1 (computed by {@link FocalLoss}) equal the paper's formula
 * FL(p_t) = -(1 - p_t)^gamma log(p_t) at the points the figure is drawn from.
 */
class FocalLossCurvesTest {

    private static double formula(double alphaT, double gamma, double pt) {
        return -alphaT * Math.pow(1 - pt, gamma) * Math.log(pt);
    }

    @Test
    void figureOneCurvesEqualTheFormula() {
        double[] pt = FocalLossCurves.ptGrid(197);   // the notebook's grid
        for (double gamma : FocalLossCurves.PAPER_GAMMAS) {
            double[] loss = FocalLossCurves.lossAgainstPt(new FocalLoss(-1, gamma), pt);
            for (int i = 0; i < pt.length; i++) {
                assertEquals(formula(1, gamma, pt[i]), loss[i], 1e-12 * Math.max(1, loss[i]),
                        "gamma " + gamma + " at p_t " + pt[i]);
            }
        }
    }

    @Test
    void paperValuesAtChosenPoints() {
        // cross-entropy at p_t = 0.5 is log 2; gamma 2 at p_t = 0.9 is 100x smaller than CE (the paper's example)
        double[] pt = {0.5, 0.9, 0.968};
        double[] ce = FocalLossCurves.lossAgainstPt(new FocalLoss(-1, 0), pt);
        double[] fl = FocalLossCurves.lossAgainstPt(new FocalLoss(-1, 2), pt);
        assertEquals(Math.log(2), ce[0], 1e-12);
        assertEquals(100, ce[1] / fl[1], 1e-9);
        assertEquals(1 / Math.pow(0.032, 2), ce[2] / fl[2], 1e-6);   // ~1000x at p_t = 0.968
    }

    @Test
    void alphaWeightsThePositiveClass() {
        double[] pt = {0.2, 0.7};
        double[] loss = FocalLossCurves.lossAgainstPt(new FocalLoss(0.25, 2), pt);
        for (int i = 0; i < pt.length; i++) {
            assertEquals(formula(0.25, 2, pt[i]), loss[i], 1e-12);
        }
    }

    @Test
    void gridAndBadProbabilities() {
        double[] pt = FocalLossCurves.ptGrid(197);
        assertEquals(0.01, pt[0], 1e-15);
        assertEquals(0.99, pt[196], 1e-15);
        assertEquals(0.015, pt[1], 1e-15);
        assertThrows(IllegalArgumentException.class,
                () -> FocalLossCurves.lossAgainstPt(new FocalLoss(), new double[] {1.0}));
    }
}
