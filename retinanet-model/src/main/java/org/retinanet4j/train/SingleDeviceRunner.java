package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.retinanet4j.updater.FusedGraphUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step per batch on the graph itself, its optimiser step through {@link FusedGraphUpdater}. With {@link
 * NonFinitePolicy#SKIP} it copies parameters and updater state before each step (one extra copy of the model per
 * step) so a step with a NaN/Inf loss can be undone.
 */
final class SingleDeviceRunner implements StepRunner {
    private static final Logger log = LoggerFactory.getLogger(SingleDeviceRunner.class);
    private final ComputationGraph graph;
    private final NonFinitePolicy policy;
    private final FusedGraphUpdater updater;

    SingleDeviceRunner(ComputationGraph graph, NonFinitePolicy policy) {
        this.graph = graph;
        this.policy = policy;
        this.updater = FusedGraphUpdater.install(graph); // the same state; DL4J's step without its per-step arrays
    }

    @Override
    public Outcome run(MultiDataSetIterator it, int maxSteps, TrainingState before) {
        MultiDataSet batch = it.next();
        long images = batch.getFeatures(0).size(0);
        INDArray params = null;
        INDArray updaterState = null;
        int iterationCount = graph.getIterationCount();
        if (policy == NonFinitePolicy.SKIP) {
            params = graph.params().dup();
            INDArray state = updaterState();
            updaterState = state == null ? null : state.dup();
        }
        long fusedBefore = updater.fusedSteps();
        graph.fit(batch);
        double loss = graph.score();
        // a NaN can reach the gradients while the loss stays finite (max pooling skips a NaN pixel going
        // forward but not backward), so the step is checked too: the fused step checked its updates as it wrote
        // them; otherwise one reduction over the parameters
        boolean fused = updater.fusedSteps() > fusedBefore;
        if (Double.isFinite(loss) && (fused ? !updater.lastFusedStepFinite()
                : !Double.isFinite(graph.params().sumNumber().doubleValue()))) {
            loss = Double.NaN;
        }
        if (Double.isFinite(loss) || policy == NonFinitePolicy.STOP) {
            return new Outcome(1, 1, images, loss, false);
        }
        graph.params().assign(params);
        if (updaterState != null) {
            updaterState().assign(updaterState);
        }
        graph.getConfiguration().setIterationCount(iterationCount);
        log.warn("loss {} at iteration {} (epoch {}, batch {}): batch skipped, step undone", loss,
                before.iteration() + 1, before.epoch(), before.batchInEpoch());
        return new Outcome(1, 0, 0, loss, true);
    }

    private INDArray updaterState() {
        ComputationGraphUpdater u = graph.getUpdater(false);
        return u == null ? null : u.getStateViewArray();
    }

    @Override
    public int batchesPerStep() {
        return 1;
    }
}
