package org.retinanet4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every notebook under {@code retinanet-examples/notebooks/} runs, cell by cell, as a Java kernel would run it;
 * its stored outputs are what running it gives now (so the committed pictures and numbers are real), and the file
 * passes Jupyter's own {@code nbformat.validate} where python3-nbformat is installed.
 */
class ExampleNotebooksTest {

    private static final Path NOTEBOOKS = Path.of("notebooks");

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

    private static void assertFirstCellAddsTheProjectJars(Notebook nb, Path file) {
        NotebookCell first = nb.codeCells().get(0);
        assertTrue(first.source().lines().anyMatch(l -> l.startsWith("%jars") || l.startsWith("%maven")),
                file + ": the first code cell must add the project's jars (%jars or %maven) for a Java kernel");
    }
}
