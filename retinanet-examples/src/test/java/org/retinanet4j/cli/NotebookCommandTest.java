package org.retinanet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.notebook.CellOutput;
import org.retinanet4j.notebook.Notebook;
import org.retinanet4j.notebook.NotebookCell;
import picocli.CommandLine;

/** {@code retinanet notebook}: outputs written back, a broken notebook reported by cell and left unchanged. */
class NotebookCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = RetinaNetCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void writesOutputsBackAndChecksThem() throws Exception {
        Path file = tmp.resolve("ok.ipynb");
        Notebook.of("ok", List.of(NotebookCell.code("int n = 6 * 7;"),
                NotebookCell.code("System.out.println(\"n = \" + n);"))).write(file);
        assertEquals(0, run("notebook", file.toString()), err.toString());
        assertEquals(List.of(CellOutput.stream("stdout", "n = 42\n")),
                Notebook.read(file).codeCells().get(1).outputs());
        assertTrue(Files.isDirectory(tmp.resolve("ok-output")), "files folder next to the notebook");

        assertEquals(0, run("notebook", "--check", file.toString()), err.toString());
        Files.writeString(file, Files.readString(file).replace("n = 42", "n = 41"));
        assertEquals(1, run("notebook", "--check", file.toString()));
        assertTrue(err.toString().contains("stored outputs are stale") && err.toString().contains("n = 41"),
                err.toString());
    }

    @Test
    void brokenNotebookNamesTheCellAndStaysUnchangedWhileOthersRun() throws Exception {
        Path broken = tmp.resolve("broken.ipynb");
        Notebook.of("broken", List.of(NotebookCell.markdown("# x"),
                NotebookCell.code("throw new IllegalStateException(\"no data\");"))).write(broken);
        String before = Files.readString(broken);
        Path good = tmp.resolve("good.ipynb");
        Notebook.of("good", List.of(NotebookCell.code("System.out.println(1 + 1);"))).write(good);
        assertEquals(1, run("notebook", broken.toString(), tmp.resolve("missing.ipynb").toString(), good.toString()));
        assertTrue(err.toString().contains("cell 2 (In [1]) threw an exception: line 1: "
                + "java.lang.IllegalStateException: no data"), err.toString());
        assertTrue(err.toString().contains("missing.ipynb does not exist"), err.toString());
        assertEquals(before, Files.readString(broken));
        assertEquals(List.of(CellOutput.stream("stdout", "2\n")), Notebook.read(good).codeCells().get(0).outputs());
    }
}
