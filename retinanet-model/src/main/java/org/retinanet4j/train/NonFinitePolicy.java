package org.retinanet4j.train;

/** What the trainer does when a batch gives a NaN or infinite loss. */
public enum NonFinitePolicy {
    /** Stop with {@link NonFiniteLossException}; the last checkpoint written stays the newest one. */
    STOP,
    /** Undo that step (parameters and updater state) and continue with the next batch; logged and counted. */
    SKIP
}
