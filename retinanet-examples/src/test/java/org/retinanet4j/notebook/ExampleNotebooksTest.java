package org.retinanet4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every notebook under {@code retinanet-examples/notebooks/} runs, cell by cell, as a Java kernel would run it;
 * its stored outputs are what running it gives now (so the committed pictures and numbers are real), and the file
 * passes Jupyter's own {@code nbformat.validate} where python3-nbformat is installed. A notebook whose metadata sets
 * {@code "retinanet4j": {"requires_torch": true}} (it makes torchvision weights with PyTorch in its first step) is
 * skipped, with a message saying why, where {@code /usr/bin/python3} cannot import torch and torchvision; CI installs
 * them, and there such a skip fails the build ({@code .ci/test_summary.py} counts this class among the torchvision
 * parity tests).
 */
class ExampleNotebooksTest {

    private static final Path NOTEBOOKS = Path.of("notebooks");
    /** Notebook setting: the notebook runs PyTorch (torch and torchvision) itself. */
    static final String REQUIRES_TORCH = "requires_torch";
    private static final String PYTHON = System.getProperty("retinanet.python", "/usr/bin/python3");
    private static Boolean torchImports;

    @TempDir
    Path tmp;

    static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            return files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyNotebookRunsAndItsStoredOutputsAreCurrent() throws IOException {
        List<Path> files = notebooks();
        assertFalse(files.isEmpty(), "no notebooks under " + NOTEBOOKS.toAbsolutePath());
        NotebookRunner runner = new NotebookRunner();
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            Notebook stored = Notebook.read(file);
            assertEquals("java", stored.toJsonTree().path("metadata").path("kernelspec").path("language").asText(),
                    file + ": kernelspec.language");
            assertFirstCellAddsTheProjectJars(stored, file);
            if (stored.setting(REQUIRES_TORCH).asBoolean(false)) {
                Assumptions.assumeTrue(torchImports(), file.getFileName() + " skipped: it makes torchvision weights "
                        + "with PyTorch, and " + PYTHON + " cannot import torch and torchvision (Debian: apt-get "
                        + "install python3-torch python3-torchvision; .ci/run does this)");
            }
            ExecutedNotebook run;
            try {
                run = runner.run(stored, tmp.resolve(file.getFileName().toString()));
            } catch (NotebookFailure e) {
                fail(e.getMessage() + "\n" + e.cellOutput(), e);
                return;
            }
            List<String> stale = StoredOutputCheck.differences(stored, run.notebook());
            assertEquals(List.of(), stale, file + ": stored outputs are stale; re-execute with ./retinanet notebook "
                    + file.toAbsolutePath());
            assertTrue(run.notebook().codeCells().stream().flatMap(c -> c.outputs().stream())
                    .anyMatch(CellOutput::isImage), file + " shows no picture");
            NbformatValidation.assertValid(file);
        }));
    }

    /**
     * Whether torch and torchvision import in {@link #PYTHON}. A probe that does not finish (a loaded machine)
     * fails the test instead: a skip must mean "not installed", never "slow".
     */
    private static synchronized boolean torchImports() throws IOException, InterruptedException {
        if (torchImports == null) {
            Process p;
            try {
                p = new ProcessBuilder(List.of(PYTHON, "-c", "import torch, torchvision, numpy"))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                torchImports = false;   // no such interpreter
                return false;
            }
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(PYTHON + " -c 'import torch, torchvision' did not finish within 300 s");
            }
            torchImports = p.exitValue() == 0;
        }
        return torchImports;
    }

    private static void assertFirstCellAddsTheProjectJars(Notebook nb, Path file) {
        NotebookCell first = nb.codeCells().get(0);
        assertTrue(first.source().lines().anyMatch(l -> l.startsWith("%jars") || l.startsWith("%maven")),
                file + ": the first code cell must add the project's jars (%jars or %maven) for a Java kernel");
    }
}
