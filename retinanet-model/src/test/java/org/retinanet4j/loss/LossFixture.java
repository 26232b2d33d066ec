package org.retinanet4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** One golden-value file written by tools/make_loss_fixtures.py (torchvision, float64). */
final class LossFixture {
    /** The brief's tolerance for fixture comparisons: 1e-5 relative or 1e-7 absolute. */
    static final double REL = 1e-5;
    static final double ABS = 1e-7;

    private final String name;
    private final JsonNode root;

    private LossFixture(String name, JsonNode root) {
        this.name = name;
        this.root = root;
    }

    static LossFixture load(String name) {
        String resource = "/fixtures/loss/" + name + ".json";
        try (InputStream in = LossFixture.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + resource
                        + " (run /usr/bin/python3 tools/make_loss_fixtures.py)");
            }
            return new LossFixture(name, new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    double number(String field) {
        return root.get(field).asDouble();
    }

    String text(String field) {
        return root.get(field).asText();
    }

    INDArray matrix(String field, DataType type) {
        JsonNode rows = root.get(field);
        double[][] m = new double[rows.size()][];
        for (int i = 0; i < m.length; i++) {
            JsonNode row = rows.get(i);
            m[i] = new double[row.size()];
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = row.get(j).asDouble();
            }
        }
        return Nd4j.createFromArray(m).castTo(type);
    }

    /** A 1D field as a column [N, 1], the shape of DL4J's per-example scores. */
    INDArray column(String field) {
        JsonNode values = root.get(field);
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).asDouble();
        }
        return Nd4j.createFromArray(v).reshape(v.length, 1);
    }

    /**
     * Checks {@code loss} on this fixture's {@code input} matrix and labels, both in {@code type}: per-image scores,
     * the mean (DL4J's average over the minibatch) and the gradient of the SUM of the per-image scores (DL4J
     * divides by N later), each within {@code rel} or {@code abs} of the torchvision values.
     */
    void assertLossMatches(FusedSameDiffLoss loss, String input, DataType type, double rel, double abs,
                           String what) {
        INDArray x = matrix(input, type);
        INDArray labels = matrix("labels", type);
        INDArray scores = loss.computeScoreArray(labels, x, new ActivationIdentity(), null);
        assertClose(what + " per-image loss", column("per_image_loss"), scores, rel, abs);
        double mean = loss.computeScore(labels, x, new ActivationIdentity(), null, true);
        assertClose(what + " mean loss", number("mean_loss"), mean, rel, abs);
        INDArray grad = loss.computeGradient(labels, x, new ActivationIdentity(), null);
        assertClose(what + " gradient", matrix("grad_sum", DataType.DOUBLE), grad, rel, abs);
    }

    static void assertClose(String what, double expected, double actual, double rel, double abs) {
        assertTrue(Double.isFinite(actual), what + ": not finite: " + actual);
        double tolerance = Math.max(abs, rel * Math.abs(expected));
        assertTrue(Math.abs(expected - actual) <= tolerance,
                what + ": expected " + expected + " but was " + actual + " (tolerance " + tolerance + ")");
    }

    static void assertClose(String what, INDArray expected, INDArray actual, double rel, double abs) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()),
                what + ": shape");
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        long cols = expected.size(expected.rank() - 1);
        for (int i = 0; i < e.length; i++) {
            assertClose(what + " at [" + (i / cols) + ", " + (i % cols) + "]", e[i], a[i], rel, abs);
        }
    }
}
