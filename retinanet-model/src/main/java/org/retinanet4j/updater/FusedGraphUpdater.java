package org.retinanet4j.updater;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DL4J's {@link ComputationGraphUpdater} with its step for the project's recipe done in at most two passes over
 * the flat gradient: DL4J divides the gradient by the minibatch size, takes each layer's L2 norm for
 * {@code ClipL2PerLayer}, rescales, and runs the updater block by block, making new array views for every
 * parameter on every step (thousands of short-lived native buffers that the garbage collector and ND4J's
 * deallocator threads then have to chase; docs/benchmarks.md, "The optimiser step without per-step arrays").
 * Here the first pass sums each clipped layer's squares, the second divides, rescales, applies the block's
 * updater (Adam, {@link FusedAdamUpdater}, or Nesterov momentum, {@link FusedNesterovsStep}) and the parameter's
 * weight decay in one go ({@link FusedUpdatePlan}). The arithmetic per element is DL4J's (a float division, a
 * float multiplication, the updater's float step, then {@code update + s * param}); only the layer norms are
 * summed in double, so a clipping factor can differ in its last bit.
 *
 * <p>Where the graph uses anything else (another updater, L1 or L2 regularisation, another gradient
 * normalisation, doubles, an external gradient) it is DL4J's updater unchanged;
 * {@code -Dretinanet.fusedUpdater=false} does the same. The state array and its layout are DL4J's, so checkpoints and saved models do not change.
 */
public class FusedGraphUpdater extends ComputationGraphUpdater {
    /** System property; {@code false} runs DL4J's own update. Read at every step. */
    public static final String PROPERTY = "retinanet.fusedUpdater";
    private static final Logger log = LoggerFactory.getLogger(FusedGraphUpdater.class);

    private FusedUpdatePlan plan;
    private boolean planned;
    private long fusedSteps;
    private boolean lastFusedStepFinite = true;

    public FusedGraphUpdater(ComputationGraph graph, INDArray updaterState) {
        super(graph, updaterState);
    }

    /** Replaces the graph's updater with one of these over the same state (created by DL4J if absent). */
    public static FusedGraphUpdater install(ComputationGraph graph) {
        ComputationGraphUpdater current = graph.getUpdater(true);
        if (current instanceof FusedGraphUpdater fused) {
            return fused;
        }
        FusedGraphUpdater fused = new FusedGraphUpdater(graph, current.getStateViewArray());
        graph.setUpdater(fused);
        return fused;
    }

    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY));
    }

    /** Steps taken by the fused path so far (the rest went to DL4J's). */
    public long fusedSteps() {
        return fusedSteps;
    }

    /**
     * Whether every update of the last fused step was finite: with finite parameters before the step, the
     * parameters after it are finite too (what a check of the parameters would otherwise read them all for).
     */
    public boolean lastFusedStepFinite() {
        return lastFusedStepFinite;
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
                                    LayerWorkspaceMgr workspaceMgr) {
        if (!enabled() || !sameMemory(gradient.gradient(), getFlattenedGradientsView())) {
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
            return;
        }
        if (planned && plan != null && !plan.reads(getFlattenedGradientsView(), getParams())) {
            planned = false; // the graph's gradient array was made again (a new init): plan again
        }
        if (!planned) {
            planned = true;
            FusedUpdatePlan.Result r = FusedUpdatePlan.of(getOrderedLayers(), getUpdaterBlocks(),
                    getFlattenedGradientsView(), getParams(), gradient);
            plan = r.plan();
            if (plan == null) {
                log.info("optimiser step: DL4J's updater ({})", r.reason());
            } else {
                log.debug("optimiser step fused: {}", plan);
            }
        }
        if (plan == null) {
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
            return;
        }
        lastFusedStepFinite = plan.apply(iteration, epoch, isMiniBatch() ? batchSize : 0);
        fusedSteps++;
    }

    /**
     * Whether the gradient is the graph's own flat gradient. DL4J's {@code DefaultGradient} hands out a new
     * reshaped view on every call, so DL4J itself takes its "external gradient" branch on every step; the memory
     * is what tells an external gradient (another network's) apart.
     */
    private static boolean sameMemory(INDArray a, INDArray b) {
        return a != null && b != null && a.length() == b.length() && a.dataType() == b.dataType()
                && a.data().address() + a.offset() * a.dataType().width()
                == b.data().address() + b.offset() * b.dataType().width();
    }
}
