package org.retinanet4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A graph saved before the SameDiff head fallback left the main code still loads, trains and gives the outputs it
 * gave then. {@code fixtures/head/head-graph-main.zip} was written by the project's main branch of 2026-12-01
 * (commit d836b27, when {@link SharedConvHeadVertex} still extended the removed {@code samediff} base class) with
 * DL4J's {@code ModelSerializer}, updater state included: two tanh convolutions feeding a 2-level shared head
 * (width 4, depth 2, 2 anchors x 3 values), Adam, one training step taken. {@code head-graph-main-output.json} holds
 * its output then, on inputs {@code sin(0.37 * (i + phase))} of the flat index {@code i} (phase 0 for the 3x5x6x7
 * input, 1 for the 3x5x3x4 one).
 */
class SavedHeadGraphCompatibilityTest {

    private static final String DIR = "/fixtures/head/";

    @Test
    void graphSavedByTheOldMainLoadsTrainsAndGivesItsOutputs(@TempDir Path tmp) throws IOException {
        Path zip = tmp.resolve("head-graph-main.zip");
        try (InputStream in = resource("head-graph-main.zip")) {
            Files.copy(in, zip, StandardCopyOption.REPLACE_EXISTING);
        }
        // the file names the head by the configuration class that saved graphs carry, and no class of the old
        // samediff package: what loads here is what every model file written before the change holds
        String config = entry(zip, ModelSerializer.CONFIGURATION_JSON);
        Matcher classes = Pattern.compile("\"@class\" : \"(org\\.retinanet4j\\.[^\"]+)\"").matcher(config);
        int projectClasses = 0;
        while (classes.find()) {
            assertEquals(SharedConvHeadVertex.class.getName(), classes.group(1));
            projectClasses++;
        }
        assertEquals(1, projectClasses, "one project class in the saved configuration");

        ComputationGraph net = ModelSerializer.restoreComputationGraph(zip.toFile(), true);
        assertInstanceOf(SharedConvHeadVertex.class, net.getConfiguration().getVertices().get("head"));
        assertInstanceOf(SharedConvHeadGraphVertex.class, net.getVertex("head"));
        INDArray a = input(3, 5, 6, 7, 0.0);
        INDArray b = input(3, 5, 3, 4, 1.0);
        JsonNode expected;
        try (InputStream in = resource("head-graph-main-output.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        INDArray out = net.output(a, b)[0];
        assertEquals(expected.get("shape").get(0).asLong(), out.size(0));
        assertEquals(expected.get("shape").get(1).asLong(), out.size(1));
        float[] actual = out.dup('c').data().asFloat();
        for (int i = 0; i < actual.length; i++) {
            float e = (float) expected.get("output").get(i).asDouble();
            // 1e-5 relative: the saved outputs came from another CPU, whose convolution kernels (AVX-512 there, AVX2
            // on a Zen 3) sum in another order (1.1e-6 relative seen); a wrong head differs by O(1)
            assertEquals(e, actual[i], 1e-5f * Math.max(1f, Math.abs(e)), "output " + i);
        }

        // the restored head keeps its updater (clone() of the configuration) and trains from the saved state
        SharedConvHeadVertex head = (SharedConvHeadVertex) net.getConfiguration().getVertices().get("head");
        assertInstanceOf(Adam.class, ((SharedConvHeadVertex) head.clone()).getUpdater());
        INDArray before = net.getVertex("head").params().dup();
        net.fit(new MultiDataSet(new INDArray[]{a, b}, new INDArray[]{Nd4j.ones(DataType.FLOAT, out.shape())}));
        assertTrue(Double.isFinite(net.score()), "score " + net.score());
        assertTrue(before.sub(net.getVertex("head").params()).amaxNumber().doubleValue() > 0, "head params moved");
    }

    private static INDArray input(int n, int c, int h, int w, double phase) {
        INDArray x = Nd4j.arange(0, n * c * h * w).castTo(DataType.FLOAT).addi(phase).muli(0.37);
        return Transforms.sin(x, false).reshape('c', n, c, h, w);
    }

    private static InputStream resource(String name) {
        InputStream in = SavedHeadGraphCompatibilityTest.class.getResourceAsStream(DIR + name);
        assertNotNull(in, "missing test resource " + DIR + name);
        return in;
    }

    private static String entry(Path zip, String name) throws IOException {
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals(name)) {
                    return new String(z.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError(zip + " has no entry " + name);
    }
}
