package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.persist.AtomicFiles;
import org.retinanet4j.persist.BundleSnapshot;
import org.retinanet4j.persist.BundleZipWriter;
import org.retinanet4j.persist.InvalidModelFileException;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in one directory, named {@code checkpoint-<iteration>.zip}: each a {@link ModelBundle} with updater
 * state plus the {@link TrainingState}. Written atomically; only the newest {@code keepLast} are kept. Loading
 * validates the newest first (every zip entry's size and CRC-32 are checked) and falls back to the previous one,
 * with a warning, when a file is truncated or corrupt.
 *
 * <p>{@link #saveInBackground} copies the model on the calling thread (parameters, updater state and training
 * state at that step: the writer never sees a half-updated model) and writes the copy on a background thread
 * while training goes on. One write at a time: a checkpoint asked for while the previous one is still being
 * written waits for it (no checkpoint is skipped; training pauses only when writes take longer than the
 * interval). A failed write is not lost: the next {@link #saveInBackground}, {@link #save},
 * {@link #awaitWrite} or {@link #throwIfWriteFailed} throws it, once, as an {@link UncheckedIOException} naming the
 * file, the cause and the last good checkpoint, which stays intact.
 */
public final class CheckpointManager {
    public static final String STATE_ENTRY = "retinanet4j/training-state.json";
    private static final Logger log = LoggerFactory.getLogger(CheckpointManager.class);
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.zip");
    /** AtomicFiles' temporary files for checkpoints: what a process killed during a write leaves behind. */
    private static final Pattern TEMPORARY = Pattern.compile("\\.checkpoint-\\d+\\.zip\\..*\\.tmp");

    /** Called on the writer thread once a checkpoint's temporary file is written, before it is renamed. */
    @FunctionalInterface
    interface WriteObserver {
        void written(Path target, Path temporaryFile) throws IOException;
    }

    private final Path directory;
    private final int keepLast;
    private final WriteObserver observer;
    private CompletableFuture<Path> pending;
    private Path pendingFile;
    private volatile Path lastWritten;

    public CheckpointManager(Path directory, int keepLast) {
        this(directory, keepLast, (target, tmp) -> { });
    }

    /** With a hook between the temporary write and the rename (the fault tests kill the process there). */
    CheckpointManager(Path directory, int keepLast, WriteObserver observer) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + keepLast);
        }
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + ": checkpoint folder is a file");
        }
        this.directory = directory;
        this.keepLast = keepLast;
        this.observer = observer;
    }

    public Path directory() {
        return directory;
    }

    /** Writes a checkpoint for {@code state} and waits for it, then deletes all but the newest {@code keepLast}. */
    public Path save(ComputationGraph graph, ModelMetadata metadata, TrainingState state) {
        saveInBackground(graph, metadata, state);
        return awaitWrite();
    }

    /**
     * Copies the model for {@code state} now and writes the copy on a background thread; returns the file it will
     * have. Waits first for a write still in progress, and throws its failure if it failed.
     */
    public synchronized Path saveInBackground(ComputationGraph graph, ModelMetadata metadata, TrainingState state) {
        awaitWrite();
        Path file = directory.resolve(String.format("checkpoint-%09d.zip", state.iteration()));
        BundleSnapshot snapshot = ModelBundle.snapshot(graph, metadata, true, Map.of(STATE_ENTRY, state.toJson()));
        CompletableFuture<Path> write = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                write(file, snapshot, state);
                write.complete(file);
            } catch (Throwable t) {
                write.completeExceptionally(t);
            } finally {
                snapshot.release();
            }
        }, "retinanet-checkpoint-writer");
        writer.setDaemon(true);
        pending = write;
        pendingFile = file;
        writer.start();
        return file;
    }

    /**
     * Waits for the write in progress, if any; returns the newest complete checkpoint ({@link #lastWritten()}).
     * Throws the write's failure, once.
     */
    public synchronized Path awaitWrite() {
        if (pending == null) {
            return lastWritten();
        }
        CompletableFuture<Path> write = pending;
        Path file = pendingFile;
        pending = null;
        pendingFile = null;
        boolean interrupted = false;
        while (true) {
            try {
                write.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the write must finish before anyone looks at the folder
            } catch (ExecutionException e) {
                throw failure(file, e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return lastWritten();
    }

    /** Throws the failure of a background write that has already failed; never waits. */
    public synchronized void throwIfWriteFailed() {
        if (pending != null && pending.isCompletedExceptionally()) {
            awaitWrite();
        }
    }

    /** The newest checkpoint known to be completely written (by this manager, or found on disk), or null. */
    public Path lastWritten() {
        Path p = lastWritten;
        return p != null ? p : list().stream().findFirst().orElse(null);
    }

    private void write(Path file, BundleSnapshot snapshot, TrainingState state) throws IOException {
        long t0 = System.nanoTime();
        AtomicFiles.write(file, tmp -> {
            BundleZipWriter.writeTo(tmp, snapshot);
            observer.written(file, tmp);
        });
        lastWritten = file;
        log.info("checkpoint written: {} (iteration {}, epoch {}, batch {}; {} ms in the background)", file,
                state.iteration(), state.epoch(), state.batchInEpoch(), (System.nanoTime() - t0) / 1_000_000);
        prune();
    }

    private UncheckedIOException failure(Path file, Throwable cause) {
        Path good = lastWritten();
        String message = "cannot write checkpoint " + file + ": " + describe(cause) + "; the last good checkpoint is "
                + (good == null ? "none (no checkpoint was written yet)" : good.toString());
        IOException io = cause instanceof IOException e ? e : new IOException(describe(cause), cause);
        return new UncheckedIOException(message, io);
    }

    // FileSystemException's message is only the path; its reason (e.g. "No space left on device") is separate
    private static String describe(Throwable t) {
        if (t instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
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

    /**
     * The newest checkpoint that is intact; broken ones are reported and skipped. Empty when none is usable. First
     * removes the temporary files of writes that a killed process never finished (call it only while no other
     * process writes checkpoints into this folder).
     */
    public Optional<Checkpoint> loadLatest() {
        removeInterruptedWrites();
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

    private void removeInterruptedWrites() {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path p : files.filter(f -> TEMPORARY.matcher(f.getFileName().toString()).matches()).toList()) {
                Files.deleteIfExists(p);
                log.warn("removed {}: a checkpoint write that never finished (the process was killed or crashed)", p);
            }
        } catch (IOException e) {
            log.warn("cannot remove unfinished checkpoint writes in {}: {}", directory, e.getMessage());
        }
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
