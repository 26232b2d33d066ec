package org.retinanet4j.spark;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * The DL4J training masters, configured for RetinaNet batches: every RDD element is one batch of
 * {@code batchSize} images, which each worker fits as it is.
 */
public final class TrainingMasters {

    /** UDP port of the shared-gradients parameter server on the driver (DL4J's default). */
    public static final int SHARED_GRADIENTS_PORT = 40123;
    /** Aeron's publication unblock timeout (ns): must exceed the 30 s client liveness timeout DL4J sets. */
    public static final String AERON_UNBLOCK_TIMEOUT = "aeron.publication.unblock.timeout";

    private TrainingMasters() {
    }

    /** The master the settings name, for training {@code graph} (the driver's network). */
    public static TrainingMaster<?, ?> create(SparkTrainingSettings s, int workers, long seed, ComputationGraph graph) {
        return switch (s.master()) {
            case PARAMETER_AVERAGING -> parameterAveraging(s.batchSize(), s.averagingFrequency(), workers, seed, graph);
            case SHARED_GRADIENTS -> sharedGradients(s.batchSize(), workers, seed);
        };
    }

    /**
     * Parameter averaging as DL4J's {@code ParameterAveragingTrainingMaster} does it: each split of
     * {@code workers x frequency} batches starts every worker from the driver's parameters and updater state, each
     * worker fits {@code frequency} batches with a plain {@code ComputationGraph}, and the driver takes the mean of
     * the workers' parameters and (with {@code saveUpdater}, on here: Adam's and momentum's state matter) of their
     * updater states. Data goes to the workers directly (no export to files), repartitioned evenly. An
     * {@link IterationCountHook} carries the driver's iteration count to the workers (DL4J's own rebuild drops it).
     *
     * @param graph the driver's network (the one given to {@code SparkComputationGraph})
     */
    public static ParameterAveragingTrainingMaster parameterAveraging(int batchSize, int frequency, int workers,
                                                                      long seed, ComputationGraph graph) {
        return new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(frequency)
                .saveUpdater(true)
                .workerPrefetchNumBatches(1)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Always)
                .rngSeed(seed)
                .trainingHooks(new IterationCountHook(graph))
                .build();
    }

    /**
     * DL4J's {@code SharedTrainingMaster}: workers send threshold-encoded updates to each other through a parameter
     * server on the driver (UDP, {@value #SHARED_GRADIENTS_PORT}) as they train. See docs/training.md for what it
     * did with RetinaNet.
     */
    public static SharedTrainingMaster sharedGradients(int batchSize, int workers, long seed) {
        // DL4J's transport sets Aeron's client liveness timeout to 30 s; Aeron refuses to start unless the
        // publication unblock timeout (default 15 s) is longer. Executors on a cluster need the same property.
        if (System.getProperty(AERON_UNBLOCK_TIMEOUT) == null) {
            System.setProperty(AERON_UNBLOCK_TIMEOUT, "60000000000");
        }
        VoidConfiguration voidConf = VoidConfiguration.builder()
                .unicastPort(SHARED_GRADIENTS_PORT)
                .controllerAddress("127.0.0.1")
                .networkMask("127.0.0.0/8")
                .build();
        return new SharedTrainingMaster.Builder(voidConf, workers, 1e-3, batchSize)
                .batchSizePerWorker(batchSize)
                .workersPerNode(workers)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(seed)
                .build();
    }
}
