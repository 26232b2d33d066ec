package org.retinanet4j.train;

import org.retinanet4j.persist.SavedModel;

import java.nio.file.Path;

/** A restored checkpoint: the model with its updater state, and where the run stood. */
public record Checkpoint(Path file, SavedModel model, TrainingState state) {
}
