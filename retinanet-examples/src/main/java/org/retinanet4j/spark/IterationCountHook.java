package org.retinanet4j.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.io.ObjectOutputStream;

/**
 * Gives each Spark worker's network the driver's iteration and epoch count. DL4J's workers rebuild the network from
 * {@code ComputationGraphConfiguration.clone()}, which in 1.0.0-M2.1 does not copy those counts, so every worker
 * would start each averaging round at iteration 0: learning-rate schedules (warm-up, step decay) would never
 * advance and Adam's bias correction would restart each round, while the driver's count does advance. The hook is
 * serialised into each round's tasks, taking the driver's counts at that moment, and sets them on the worker's
 * network before its first step of the round.
 */
final class IterationCountHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    private final transient ComputationGraph driverGraph;
    private int iteration;
    private int epoch;

    IterationCountHook(ComputationGraph driverGraph) {
        this.driverGraph = driverGraph;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        if (driverGraph != null) {
            iteration = driverGraph.getConfiguration().getIterationCount();
            epoch = driverGraph.getConfiguration().getEpochCount();
        }
        out.defaultWriteObject();
    }

    private void apply(Model model) {
        if (model instanceof ComputationGraph g && g.getConfiguration().getIterationCount() < iteration) {
            g.getConfiguration().setIterationCount(iteration);
            g.getConfiguration().setEpochCount(epoch);
        }
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        apply(model);
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        apply(model);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }
}
