package org.retinanet4j.train;

import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * The training batches, one epoch at a time. The order of epoch {@code e} must depend only on the run's seed and
 * {@code e} (the data module's iterators shuffle with such a seed), so that a resumed run, which skips the batches
 * already consumed, sees the same batches as an uninterrupted one.
 */
@FunctionalInterface
public interface TrainingData {

    /** An iterator positioned at the start of epoch {@code epoch}. */
    MultiDataSetIterator epoch(int epoch);

    /**
     * Moves {@code it} past {@code batches} batches. The default reads and drops them; iterators that can skip
     * without decoding images may do better.
     */
    default void skip(MultiDataSetIterator it, int batches) {
        for (int i = 0; i < batches && it.hasNext(); i++) {
            it.next();
        }
    }

    /** Uses one iterator for every epoch, reset at each epoch start (its own order must be deterministic). */
    static TrainingData resetting(MultiDataSetIterator iterator) {
        return epoch -> {
            if (iterator.resetSupported()) {
                iterator.reset();
            } else if (epoch > 0) {
                throw new IllegalStateException("the training iterator cannot be reset for epoch " + epoch);
            }
            return iterator;
        };
    }
}
