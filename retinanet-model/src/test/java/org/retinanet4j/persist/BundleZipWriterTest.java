package org.retinanet4j.persist;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TinyGraphs;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The saved-model zip with its arrays STORED: DL4J's own ModelSerializer restores it (parameters and Adam state
 * exactly), the array entries hold exactly the bytes {@code Nd4j.write} gives, and a flipped byte inside a stored
 * array (which java.util.zip itself does not notice) fails validation.
 */
class BundleZipWriterTest {
    @TempDir
    Path dir;

    private static ComputationGraph trainedWithAdam() {
        ComputationGraph g = TinyGraphs.graph(5);
        new Trainer(TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-2).warmup(0, 1)
                .maxIterations(2).build(), TinyGraphs.metadata()).fit(g, TinyGraphs.data(2, 2));
        return g;
    }

    @Test
    void dl4jRestoresTheStoredArraysExactly() throws Exception {
        ComputationGraph g = trainedWithAdam();
        Path file = dir.resolve("m.zip");
        ModelBundle.save(file, g, TinyGraphs.metadata(), true, Map.of("extra.txt", "x".getBytes(StandardCharsets.UTF_8)));

        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (String name : new String[]{ModelSerializer.COEFFICIENTS_BIN, ModelSerializer.UPDATER_BIN}) {
                ZipEntry e = zip.getEntry(name);
                assertEquals(ZipEntry.STORED, e.getMethod(), name + " is stored, not deflated");
            }
            assertArrayEquals(nd4jBytes(g.params()),
                    zip.getInputStream(zip.getEntry(ModelSerializer.COEFFICIENTS_BIN)).readAllBytes());
            assertArrayEquals(nd4jBytes(g.getUpdater().getStateViewArray()),
                    zip.getInputStream(zip.getEntry(ModelSerializer.UPDATER_BIN)).readAllBytes());
        }
        ComputationGraph back = ModelSerializer.restoreComputationGraph(file.toFile(), true);
        assertEquals(g.params(), back.params());
        INDArray state = g.getUpdater().getStateViewArray();
        assertTrue(state.length() > 0 && state.amaxNumber().doubleValue() > 0, "Adam state is not empty");
        assertEquals(0.0, back.getUpdater().getStateViewArray().sub(state).amaxNumber().doubleValue());
        assertEquals(g.getConfiguration().toJson(), back.getConfiguration().toJson());
        ModelBundle.validate(file);
    }

    @Test
    void aFlippedByteInsideAStoredArrayFailsValidation() throws Exception {
        Path file = dir.resolve("m.zip");
        ModelBundle.save(file, trainedWithAdam(), TinyGraphs.metadata(), true, Map.of());
        byte[] all = Files.readAllBytes(file);
        int data = dataOffset(all, ModelSerializer.COEFFICIENTS_BIN);
        all[data + 60] ^= 0x10;   // inside the float data, past the array header
        Files.write(file, all);
        InvalidModelFileException e = assertThrows(InvalidModelFileException.class, () -> ModelBundle.validate(file));
        assertTrue(e.getMessage().contains(ModelSerializer.COEFFICIENTS_BIN) && e.getMessage().contains("CRC-32"),
                e.getMessage());
    }

    private static byte[] nd4jBytes(INDArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(out)) {
            Nd4j.write(a, d);
        }
        return out.toByteArray();
    }

    /** Where an entry's data starts: after its local header (30 bytes), name and extra field. */
    private static int dataOffset(byte[] zip, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 30; i + n.length <= zip.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (zip[i + j] != n[j]) {
                    continue outer;
                }
            }
            int header = i - 30;
            int nameLength = (zip[header + 26] & 0xff) | (zip[header + 27] & 0xff) << 8;
            int extraLength = (zip[header + 28] & 0xff) | (zip[header + 29] & 0xff) << 8;
            assertEquals(n.length, nameLength, "local header of " + name);
            return header + 30 + nameLength + extraLength;
        }
        throw new AssertionError(name + " not found");
    }
}
