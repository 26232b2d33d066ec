package org.retinanet4j.spark;

/**
 * How a {@link SparkTrainer} spreads training over the cluster.
 *
 * @param batchSize          images per batch; each worker fits one batch per step
 * @param averagingFrequency steps each worker takes between two averagings of the parameters (and updater state)
 * @param workers            training workers (executors x cores each); 0: Spark's default parallelism
 * @param master             the DL4J training master
 */
public record SparkTrainingSettings(int batchSize, int averagingFrequency, int workers, MasterKind master) {

    /** DL4J's training masters. */
    public enum MasterKind {
        /** {@code ParameterAveragingTrainingMaster}: synchronous averaging every {@code averagingFrequency} steps. */
        PARAMETER_AVERAGING,
        /** {@code SharedTrainingMaster}: workers exchange threshold-encoded gradient updates as they train. */
        SHARED_GRADIENTS
    }

    public SparkTrainingSettings {
        if (batchSize < 1 || averagingFrequency < 1 || workers < 0) {
            throw new IllegalArgumentException("batch size and averaging frequency must be >= 1 and workers >= 0, got "
                    + batchSize + ", " + averagingFrequency + ", " + workers);
        }
        if (master == null) {
            throw new IllegalArgumentException("a training master is required");
        }
    }

    /** Parameter averaging after every {@code averagingFrequency} steps, on every core Spark offers. */
    public static SparkTrainingSettings averaging(int batchSize, int averagingFrequency) {
        return new SparkTrainingSettings(batchSize, averagingFrequency, 0, MasterKind.PARAMETER_AVERAGING);
    }
}
