package org.retinanet4j.train;

import java.nio.file.Path;

/** A training process for {@link KilledTrainingResumeTest}: trains the tiny graph with checkpoints until killed. */
public final class TrainingChildMain {
    private TrainingChildMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        new Trainer(KilledTrainingResumeTest.config(1_000_000), TinyGraphs.metadata())
                .checkpoints(new CheckpointManager(dir, 3))
                .fit(TinyGraphs.graph(KilledTrainingResumeTest.SEED), KilledTrainingResumeTest.data());
    }
}
