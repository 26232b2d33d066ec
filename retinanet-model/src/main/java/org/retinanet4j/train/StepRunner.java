package org.retinanet4j.train;

import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/** Runs training steps on batches from an iterator: on one device, or spread over workers. */
interface StepRunner extends AutoCloseable {

    /** What a call did: batches taken from the iterator, optimiser steps, images, and the last loss seen. */
    record Outcome(int batches, int steps, long images, double loss, boolean skipped) {
    }

    /** Takes up to {@code maxSteps} steps' worth of batches from {@code it} (which has at least one left). */
    Outcome run(MultiDataSetIterator it, int maxSteps, TrainingState before);

    /** Batches per optimiser step (1 on one device, the worker count in parallel). */
    int batchesPerStep();

    @Override
    default void close() {
    }
}
