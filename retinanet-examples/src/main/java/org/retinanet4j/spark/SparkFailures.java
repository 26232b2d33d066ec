package org.retinanet4j.spark;

import org.retinanet4j.data.records.InvalidRecordException;
import org.retinanet4j.train.TrainingState;

/**
 * Turns a failed Spark job back into the error that caused it. Spark wraps an executor's exception in a
 * {@code SparkException} whose message is a stage-failure report; a malformed record should reach the user as the
 * {@link InvalidRecordException} that names the record and the field, and anything else with the training
 * position it happened at.
 */
final class SparkFailures {

    private SparkFailures() {
    }

    static RuntimeException explain(Exception failure, TrainingState state) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidRecordException bad) {
                return new InvalidRecordException(bad.getMessage());
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new IllegalStateException("Spark training failed at iteration " + state.iteration() + " (epoch "
                + state.epoch() + ", batch " + state.batchInEpoch() + "): " + root, failure);
    }
}
