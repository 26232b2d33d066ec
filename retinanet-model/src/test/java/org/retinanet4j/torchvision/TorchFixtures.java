package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Golden values from torchvision, made at test time by {@code tools/make_import_fixtures.py} (torch is not a
 * build dependency and the weights are tens of MB, too large to commit). Skips the calling test, with a message
 * saying how to enable it, when {@code /usr/bin/python3} cannot import torch and torchvision. Generated files
 * are cached under {@code target/import-fixtures/} and reused while the script and arguments are unchanged.
 */
final class TorchFixtures {

    static final String PYTHON = System.getProperty("retinanet.python", "/usr/bin/python3");
    private static Boolean torchAvailable;

    private TorchFixtures() {
    }

    /** The project root: the first parent of the working directory that holds {@code tools/}. */
    static Path projectRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("tools/make_import_fixtures.py"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("tools/make_import_fixtures.py not found above " + Paths.get("").toAbsolutePath());
        }
        return dir;
    }

    /**
     * Skips the test unless torch and torchvision import in {@link #PYTHON}. A probe that does not finish (a
     * loaded machine) fails the test instead: a skip must mean "not installed", never "slow".
     */
    static void assumeTorch() {
        if (torchAvailable == null) {
            int rc;
            try {
                rc = run(List.of(PYTHON, "-c", "import torch, torchvision, numpy"), 300);
            } catch (IOException e) {
                rc = 127;   // no such interpreter
            }
            assertTrue(rc != -1, PYTHON + " -c 'import torch, torchvision' did not finish within 300 s");
            torchAvailable = rc == 0;
        }
        Assumptions.assumeTrue(torchAvailable, "torchvision parity test skipped: " + PYTHON + " cannot import torch "
                + "and torchvision (Debian: apt-get install python3-torch python3-torchvision; .ci/run does this)");
    }

    /** Runs the fixture script with {@code args} into {@code target/import-fixtures/<name>} unless cached. */
    static Path generate(String name, String... args) throws IOException {
        assumeTorch();
        Path root = projectRoot();
        Path script = root.resolve("tools/make_import_fixtures.py");
        Path out = Paths.get("target", "import-fixtures", name).toAbsolutePath();
        String stamp = String.join(" ", args) + "\n" + Files.readString(script)
                + Files.readString(root.resolve("tools/export_torchvision_weights.py"));
        Path stampFile = out.resolve("stamp.txt");
        if (Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)) {
            return out;
        }
        Files.createDirectories(out);
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
        cmd.addAll(Arrays.asList(args));
        cmd.addAll(List.of("--out", out.toString()));
        int rc = run(cmd, 600);
        assertEquals(0, rc, "fixture script failed: " + String.join(" ", cmd));
        Files.writeString(stampFile, stamp, StandardCharsets.UTF_8);
        return out;
    }

    private static int run(List<String> cmd, int timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return -1;
        }
    }

    /** Reads one io_HxW.npz of a fixture directory. */
    static Map<String, INDArray> io(Path dir, int h, int w) throws IOException {
        return NpzReader.read(dir.resolve("io_" + h + "x" + w + ".npz"));
    }

    /** max|actual - expected| / max|expected| below {@code rel}; shapes must agree element-wise in count. */
    static void assertClose(String what, INDArray expected, INDArray actual, double rel) {
        assertEquals(expected.length(), actual.length(), what + ": element count");
        INDArray e = expected.castTo(DataType.DOUBLE).reshape(expected.length());
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(actual.length());
        double scale = Transforms.abs(e).maxNumber().doubleValue();
        double err = Transforms.abs(a.sub(e)).maxNumber().doubleValue();
        assertTrue(err <= rel * Math.max(scale, 1e-12), what + ": max abs error " + err + " vs scale " + scale
                + " (relative " + err / scale + ", allowed " + rel + ")");
    }
}
