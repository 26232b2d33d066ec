package org.retinanet4j.train;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training process for {@link KilledDuringCheckpointWriteTest}: trains the tiny graph with a checkpoint every 3
 * iterations; the write of checkpoint {@code args[1]} stops after its temporary file is complete and before the
 * rename (it announces itself with a file {@code writing-<iteration>} and then waits to be killed). Everything else
 * is the production path: the trainer, the snapshot, the background writer, the zip writer and AtomicFiles.
 */
public final class CheckpointKillChildMain {
    private CheckpointKillChildMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String blocked = String.format("checkpoint-%09d.zip", Integer.parseInt(args[1]));
        CheckpointManager manager = new CheckpointManager(dir, 3, (target, tmp) -> {
            if (target.getFileName().toString().equals(blocked)) {
                Files.writeString(dir.resolve("writing-" + args[1]), tmp.getFileName().toString());
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        new Trainer(KilledTrainingResumeTest.config(1_000_000), TinyGraphs.metadata())
                .checkpoints(manager)
                .fit(TinyGraphs.graph(KilledTrainingResumeTest.SEED), KilledTrainingResumeTest.data());
    }
}
