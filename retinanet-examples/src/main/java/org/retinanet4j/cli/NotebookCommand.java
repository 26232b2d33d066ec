package org.retinanet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.retinanet4j.notebook.ExecutedNotebook;
import org.retinanet4j.notebook.Notebook;
import org.retinanet4j.notebook.NotebookFailure;
import org.retinanet4j.notebook.NotebookRunner;
import org.retinanet4j.notebook.StoredOutputCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code retinanet notebook}: executes example notebooks as the build does (one JShell session per notebook, on
 * the project's class path) and writes the outputs back into each file, or with {@code --check} only says
 * whether the stored outputs are still what the notebook gives. A failing notebook is reported with its cell
 * and left unchanged; the others still run.
 */
@Command(name = "notebook", mixinStandardHelpOptions = true,
        description = "Executes Java notebooks (.ipynb) cell by cell and writes their outputs (text, pictures) "
                + "back into the files.")
public final class NotebookCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "notebooks to execute")
    List<Path> files;

    @Option(names = "--check", description = "execute, but only compare with the stored outputs; exit 1 if any "
            + "notebook fails or its stored outputs are stale")
    boolean check;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "folder for the files a notebook writes "
            + "(default: NAME-output next to each notebook, as when it runs in Jupyter)")
    Path outputDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NotebookRunner runner = new NotebookRunner();
        int failed = 0;
        for (Path file : files) {
            Path dir = outputDir != null ? outputDir : filesFolder(file);
            try {
                Notebook stored = Notebook.read(file);
                ExecutedNotebook run = runner.run(stored, dir);
                if (check) {
                    List<String> stale = StoredOutputCheck.differences(stored, run.notebook());
                    if (stale.isEmpty()) {
                        out.printf(Locale.ROOT, "%s: stored outputs are current (%d code cells, %.1f s)%n", file,
                                run.cells().size(), run.seconds());
                    } else {
                        failed++;
                        err.printf("%s: stored outputs are stale; run ./retinanet notebook %s%n  %s%n", file, file,
                                String.join("\n  ", stale));
                    }
                } else {
                    run.notebook().write(file);
                    out.printf(Locale.ROOT, "%s: %d code cells in %.1f s, outputs written (files in %s)%n", file,
                            run.cells().size(), run.seconds(), dir);
                }
            } catch (NotebookFailure e) {
                failed++;
                err.println(e.getMessage());
                if (!e.cellOutput().isBlank()) {
                    err.println("  the cell printed:\n" + e.cellOutput().strip().indent(4).stripTrailing());
                }
                err.println("  " + file + " was left unchanged");
            } catch (IllegalArgumentException | java.io.IOException e) {
                failed++;
                err.println("error: " + e.getMessage());
            }
            out.flush();
            err.flush();
        }
        return failed == 0 ? 0 : 1;
    }

    /** {@code NAME-output} beside the notebook: where it writes when opened in Jupyter (the kernel's folder). */
    static Path filesFolder(Path notebook) {
        String name = notebook.getFileName().toString().replaceFirst("\\.ipynb$", "");
        Path parent = notebook.getParent();
        return parent == null ? Path.of(name + "-output") : parent.resolve(name + "-output");
    }
}
