package org.retinanet4j.train;

/** Training stopped because a batch's loss was NaN or infinite. */
public final class NonFiniteLossException extends RuntimeException {
    private final transient TrainingState state;

    public NonFiniteLossException(TrainingState state, double loss, String repeated, String lastCheckpoint) {
        super("loss became " + loss + " at iteration " + (state.iteration() + 1) + " (epoch " + state.epoch()
                + ", batch " + state.batchInEpoch() + (repeated == null ? "" : ", " + repeated)
                + "); training stopped, the last good checkpoint is "
                + lastCheckpoint + " (lower --lr, or skip such batches with the skip policy)");
        this.state = state;
    }

    /** Where it happened: the state before the offending batch. */
    public TrainingState state() {
        return state;
    }
}
