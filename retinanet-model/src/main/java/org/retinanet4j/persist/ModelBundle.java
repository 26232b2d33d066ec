package org.retinanet4j.persist;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The saved-model file: DL4J's {@link ModelSerializer} zip (configuration, parameters, optionally updater state)
 * with extra entries of our own: {@value #METADATA_ENTRY} (always) and any named extras (checkpoints add their
 * training state). Any DL4J tool can still restore the graph from it; our readers require the metadata entry, so a
 * file from something else is rejected with one line. Writes are atomic ({@link AtomicFiles}).
 */
public final class ModelBundle {
    public static final String METADATA_ENTRY = "retinanet4j/metadata.json";

    private ModelBundle() {
    }

    /** Saves graph + metadata (+ updater state when {@code withUpdater}) + extra entries, atomically. */
    public static void save(Path file, ComputationGraph graph, ModelMetadata metadata, boolean withUpdater,
                            Map<String, byte[]> extraEntries) throws IOException {
        BundleSnapshot snapshot = snapshot(graph, metadata, withUpdater, extraEntries);
        try {
            AtomicFiles.write(file, tmp -> BundleZipWriter.writeTo(tmp, snapshot));
        } finally {
            snapshot.release();
        }
    }

    /**
     * The content of a bundle, copied now, for writing later (possibly on another thread) with
     * {@link BundleZipWriter}; checkpoints are written this way while training goes on.
     */
    public static BundleSnapshot snapshot(ComputationGraph graph, ModelMetadata metadata, boolean withUpdater,
                                          Map<String, byte[]> extraEntries) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(METADATA_ENTRY, ModelMetadataJson.toBytes(metadata));
        entries.putAll(extraEntries);
        return BundleSnapshot.of(graph, withUpdater, entries);
    }

    /** Saves a model for inference (no updater state). */
    public static void save(Path file, SavedModel model) throws IOException {
        save(file, model.graph(), model.metadata(), false, Map.of());
    }

    /** Loads graph and metadata; throws {@link InvalidModelFileException} for anything that is not our bundle. */
    public static SavedModel load(Path file, boolean withUpdater) {
        ModelMetadata metadata = readMetadata(file);
        try {
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(file.toFile(), withUpdater);
            return new SavedModel(graph, metadata);
        } catch (IOException | RuntimeException e) {
            throw new InvalidModelFileException(file, "the network in this model file cannot be restored ("
                    + e.getMessage() + ")", e);
        }
    }

    public static SavedModel load(Path file) {
        return load(file, false);
    }

    /** Reads only the metadata (a format-1 file's also reads the graph configuration, not the weights). */
    public static ModelMetadata readMetadata(Path file) {
        byte[] bytes = readEntry(file, METADATA_ENTRY).orElseThrow(() -> new InvalidModelFileException(file,
                "not a RetinaNet4j model (no " + METADATA_ENTRY + " entry); use a file written by './retinanet "
                        + "train' or ModelBundle.save"));
        try {
            return ModelMetadataJson.read(bytes, () -> graphConfiguration(file), file + "!" + METADATA_ENTRY);
        } catch (IOException e) {
            throw new InvalidModelFileException(file, "unreadable model metadata: " + e.getMessage(), e);
        }
    }

    private static String graphConfiguration(Path file) {
        byte[] conf = readEntry(file, ModelSerializer.CONFIGURATION_JSON).orElseThrow(() ->
                new InvalidModelFileException(file, "no " + ModelSerializer.CONFIGURATION_JSON + " entry"));
        return new String(conf, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** One named entry of the bundle, if present. */
    public static Optional<byte[]> readEntry(Path file, String name) {
        try (ZipFile zip = openZip(file)) {
            ZipEntry e = zip.getEntry(name);
            if (e == null) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(e)) {
                return Optional.of(in.readAllBytes());
            }
        } catch (IOException e) {
            throw new InvalidModelFileException(file, "cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads every entry completely and checks its size and CRC-32: a truncated or corrupted file fails here
     * instead of half-loading later. Throws {@link InvalidModelFileException} with the reason.
     */
    public static void validate(Path file) {
        try (ZipFile zip = openZip(file)) {
            boolean hasConfig = false;
            boolean hasMetadata = false;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            byte[] buffer = new byte[1 << 16];
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                hasConfig |= e.getName().equals(ModelSerializer.CONFIGURATION_JSON);
                hasMetadata |= e.getName().equals(METADATA_ENTRY);
                CRC32 crc = new CRC32();
                long size = 0;
                try (InputStream in = zip.getInputStream(e)) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        crc.update(buffer, 0, n);
                        size += n;
                    }
                }
                // ZipFile checks neither for STORED entries (the arrays), so both are compared here
                if (size != e.getSize() || crc.getValue() != e.getCrc()) {
                    throw new InvalidModelFileException(file, "corrupt model file (entry " + e.getName()
                            + (size != e.getSize() ? " has " + size + " of " + e.getSize() + " bytes"
                            : " fails its CRC-32 check") + ")");
                }
            }
            if (!hasConfig || !hasMetadata) {
                throw new InvalidModelFileException(file, "not a RetinaNet4j model (missing "
                        + (hasConfig ? METADATA_ENTRY : ModelSerializer.CONFIGURATION_JSON) + ")");
            }
        } catch (ZipException e) {
            throw new InvalidModelFileException(file, "corrupt model file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidModelFileException(file, "unreadable model file (" + e.getMessage() + ")", e);
        }
    }

    private static ZipFile openZip(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelFileException(file, Files.isDirectory(file) ? "is a directory, not a model file"
                    : "model file not found");
        }
        try {
            return new ZipFile(file.toFile());
        } catch (NoSuchFileException e) {
            throw new InvalidModelFileException(file, "model file not found", e);
        } catch (ZipException e) {
            throw new InvalidModelFileException(file, "not a RetinaNet4j model (not a zip file: " + e.getMessage()
                    + ")", e);
        }
    }

}
