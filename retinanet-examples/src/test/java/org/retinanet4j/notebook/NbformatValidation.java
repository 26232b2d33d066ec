package org.retinanet4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Validates notebook files with Jupyter's own {@code nbformat.validate} ({@code /usr/bin/python3} with apt's
 * {@code python3-nbformat}), and checks that the file is byte for byte what {@code nbformat.writes} makes of it
 * (so saving it in Jupyter gives no spurious diff); skips with a message where nbformat is not installed.
 */
final class NbformatValidation {

    private static final String PYTHON = "/usr/bin/python3";
    private static Boolean available;

    private NbformatValidation() {
    }

    static synchronized boolean available() {
        if (available == null) {
            available = Files.isExecutable(Path.of(PYTHON)) && exitCode(PYTHON, "-c", "import nbformat") == 0;
        }
        return available;
    }

    static void assertValid(Path notebook) throws IOException {
        assumeTrue(available(), "skipped: " + PYTHON + " cannot import nbformat (apt-get install python3-nbformat)"
                + " so " + notebook + " was not validated against the nbformat schema");
        Process p = new ProcessBuilder(PYTHON, "-c",
                "import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)\n"
                        + "nbformat.validate(nb)\n"
                        + "text = open(sys.argv[1], encoding='utf-8').read()\n"
                        + "if text.rstrip('\\n') != nbformat.writes(nb).rstrip('\\n'):\n"
                        + "    sys.exit('valid, but not formatted as nbformat.writes formats it')\n"
                        + "print('valid nbformat', nb.nbformat, nb.nbformat_minor)",
                notebook.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, waitFor(p), "nbformat.validate rejected " + notebook + ":\n" + out);
    }

    private static int exitCode(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return waitFor(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static int waitFor(Process p) {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
