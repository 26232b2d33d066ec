package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.persist.InvalidModelFileException;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in one directory, named {@code checkpoint-<iteration>.zip}: each a {@link ModelBundle} with updater
 * state plus the {@link TrainingState}. Written atomically; only the newest {@code keepLast} are kept. Loading
 * validates the newest first (every zip entry's CRC-32 is checked) and falls back to the previous one, with a
 * warning, when a file is truncated or corrupt.
 */
public final class CheckpointManager {
    public static final String STATE_ENTRY = "retinanet4j/training-state.json";
    private static final Logger log = LoggerFactory.getLogger(CheckpointManager.class);
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.zip");

    private final Path directory;
    private final int keepLast;

    public CheckpointManager(Path directory, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + keepLast);
        }
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + ": checkpoint folder is a file");
        }
        this.directory = directory;
        this.keepLast = keepLast;
    }

    public Path directory() {
        return directory;
    }

    /** Writes a checkpoint for {@code state}, then deletes all but the newest {@code keepLast}. */
    public Path save(ComputationGraph graph, ModelMetadata metadata, TrainingState state) {
        Path file = directory.resolve(String.format("checkpoint-%09d.zip", state.iteration()));
        try {
            ModelBundle.save(file, graph, metadata, true, Map.of(STATE_ENTRY, state.toJson()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
        log.info("checkpoint written: {} (iteration {}, epoch {}, batch {})", file, state.iteration(),
                state.epoch(), state.batchInEpoch());
        prune();
        return file;
    }

    /** Checkpoint files, newest (highest iteration) first. */
    public List<Path> list() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(CheckpointManager::iterationOf).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + directory, e);
        }
    }

    /** The newest checkpoint that is intact; broken ones are reported and skipped. Empty when none is usable. */
    public Optional<Checkpoint> loadLatest() {
        for (Path file : list()) {
            try {
                ModelBundle.validate(file);
                byte[] stateJson = ModelBundle.readEntry(file, STATE_ENTRY).orElseThrow(() ->
                        new InvalidModelFileException(file, "no training state entry; not a checkpoint"));
                TrainingState state = TrainingState.fromJson(stateJson, file + "!" + STATE_ENTRY);
                SavedModel model = ModelBundle.load(file, true);
                return Optional.of(new Checkpoint(file, model, state));
            } catch (InvalidModelFileException | IOException e) {
                log.warn("checkpoint {} is unusable ({}); trying the previous one", file, e.getMessage());
            }
        }
        return Optional.empty();
    }

    private void prune() {
        List<Path> all = list();
        for (Path old : all.subList(Math.min(keepLast, all.size()), all.size())) {
            try {
                Files.deleteIfExists(old);
                log.debug("deleted old checkpoint {}", old);
            } catch (IOException e) {
                log.warn("cannot delete old checkpoint {}: {}", old, e.getMessage());
            }
        }
    }

    private static long iterationOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** All checkpoint paths currently on disk (for messages). */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Path p : list()) {
            out.add(p.getFileName().toString());
        }
        return out;
    }
}
