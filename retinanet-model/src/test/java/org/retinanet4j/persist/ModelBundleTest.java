package org.retinanet4j.persist;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.train.TinyGraphs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBundleTest {
    @TempDir
    Path dir;

    @Test
    void savedModelRestoresParametersAndEveryMetadataField() throws Exception {
        ComputationGraph g = TinyGraphs.graph(7);
        ModelMetadata md = new ModelMetadata(ModelMetadataJsonTest.everySettingChanged(), List.of("a", "b"),
                new int[]{3, 9}, Map.of("trainedIterations", "12"));
        Path file = dir.resolve("m.zip");
        ModelBundle.save(file, new SavedModel(g, md));

        SavedModel back = ModelBundle.load(file);
        assertEquals(md, back.metadata());
        assertEquals(g.params(), back.graph().params());
        assertEquals(2, back.graph().getConfiguration().getNetworkOutputs().size());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary files are left behind");
        }
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)), "an ordinary file, not the temp file's owner-only mode");
    }

    @Test
    void aPlainDl4jModelIsRejectedWithOneLine() throws Exception {
        Path file = dir.resolve("plain.zip");
        ModelSerializer.writeModel(TinyGraphs.graph(1), file.toFile(), false);
        InvalidModelFileException e = assertThrows(InvalidModelFileException.class, () -> ModelBundle.load(file));
        assertTrue(e.getMessage().contains("not a RetinaNet4j model"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aFileThatIsNotAZipIsRejected() throws Exception {
        Path file = dir.resolve("photo.jpg");
        Files.writeString(file, "this is not a model");
        InvalidModelFileException e = assertThrows(InvalidModelFileException.class, () -> ModelBundle.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("not a zip"), e.getMessage());
        assertThrows(InvalidModelFileException.class, () -> ModelBundle.load(dir.resolve("missing.zip")));
    }

    @Test
    void truncationIsDetectedByValidation() throws Exception {
        Path file = dir.resolve("m.zip");
        ModelBundle.save(file, new SavedModel(TinyGraphs.graph(2), TinyGraphs.metadata()));
        ModelBundle.validate(file);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length * 2 / 3));
        assertThrows(InvalidModelFileException.class, () -> ModelBundle.validate(file));
    }

    @Test
    void aFlippedByteInsideAnEntryIsDetected() throws Exception {
        Path file = dir.resolve("m.zip");
        ModelBundle.save(file, new SavedModel(TinyGraphs.graph(2), TinyGraphs.metadata()));
        byte[] all = Files.readAllBytes(file);
        all[200] ^= 0x5A; // inside the first entry's data: its CRC-32 no longer matches
        Files.write(file, all);
        assertThrows(InvalidModelFileException.class, () -> ModelBundle.validate(file));
        assertFalse(Files.exists(dir.resolve("m.zip.tmp")));
    }
}
