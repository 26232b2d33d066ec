package org.retinanet4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner on small notebooks written to a temporary folder: outputs as a Java kernel produces them, and each
 * kind of broken cell (compile error, exception, missing file) failing with a message that names the cell.
 */
class NotebookRunnerTest {

    @TempDir
    Path tmp;

    private final NotebookRunner runner = new NotebookRunner();

    /** Writes the notebook to a file and reads it back, as the build does with the committed notebooks. */
    private Notebook saved(String name, NotebookCell... cells) throws Exception {
        Path file = tmp.resolve(name + ".ipynb");
        Notebook.of(name, List.of(cells)).write(file);
        return Notebook.read(file);
    }

    private NotebookFailure failure(Notebook nb) {
        return assertThrows(NotebookFailure.class, () -> runner.run(nb, tmp.resolve("files")));
    }

    @Test
    void cellsShareOneSessionAndProduceKernelOutputs() throws Exception {
        Notebook nb = saved("outputs",
                NotebookCell.markdown("# Title"),
                NotebookCell.code("%jars ../target/*.jar\n%maven org.example:lib:1.0\nint x = 20;\nvoid twice() { x *= 2; }"),
                NotebookCell.code("twice();\nSystem.out.println(\"x is \" + x);\nSystem.err.println(\"careful\");\nx + 2"),
                NotebookCell.code("var img = new java.awt.image.BufferedImage(30, 20, java.awt.image.BufferedImage.TYPE_INT_RGB);\n"
                        + "display(img);\nSystem.out.println(\"after\");"),
                NotebookCell.code("import java.nio.file.*;\nFiles.writeString(Path.of(System.getProperty(\"notebook.outputDir\"), \"a.txt\"), \"hi\");",
                        "a.txt"));
        ExecutedNotebook run = runner.run(nb, tmp.resolve("files"));

        List<NotebookCell> code = run.notebook().codeCells();
        assertEquals(List.of(), code.get(0).outputs(), "declarations and dependency magics print nothing");
        List<CellOutput> second = code.get(1).outputs();
        assertEquals(CellOutput.stream("stdout", "x is 40\n"), second.get(0));
        assertEquals(CellOutput.stream("stderr", "careful\n"), second.get(1));
        assertEquals(CellOutput.result(java.util.Map.of("text/plain", "42")), second.get(2));
        assertEquals(3, second.size());

        List<CellOutput> third = code.get(2).outputs();
        assertEquals(CellOutput.Type.DISPLAY_DATA, third.get(0).type());
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(third.get(0).data().get("image/png"))));
        assertEquals(30, png.getWidth());
        assertEquals(20, png.getHeight());
        assertEquals(CellOutput.stream("stdout", "after\n"), third.get(1));
        assertEquals(2, third.size(), "display(img); is not the last snippet, so no result");

        assertEquals(List.of(1, 2, 3, 4), code.stream().map(NotebookCell::executionCount).toList());
        assertEquals("hi", Files.readString(tmp.resolve("files/a.txt")));
        assertEquals(null, System.getProperty(NotebookRunner.OUTPUT_DIR_PROPERTY), "property restored");
    }

    @Test
    void writtenOutputsReadBackUnchanged() throws Exception {
        Notebook nb = saved("roundtrip", NotebookCell.code("System.out.print(\"a\\nb\");\n\"text\""),
                NotebookCell.code("new java.awt.image.BufferedImage(4, 3, 1)"));
        ExecutedNotebook run = runner.run(nb, tmp.resolve("files"));
        Path file = tmp.resolve("written.ipynb");
        run.notebook().write(file);
        Notebook back = Notebook.read(file);
        assertEquals(run.notebook().codeCells(), back.codeCells());
        assertEquals(run.notebook().toJson(), back.toJson(), "writing again changes nothing");
        assertEquals(List.of(), StoredOutputCheck.differences(back, runner.run(back, tmp.resolve("files")).notebook()));
        NbformatValidation.assertValid(file);
    }

    @Test
    void compileErrorNamesCellLineAndDiagnostic() throws Exception {
        Notebook nb = saved("broken-compile", NotebookCell.markdown("intro"), NotebookCell.code("int a = 1;"),
                NotebookCell.code("int b = a;\nString s = undefinedVariable + 1;"), NotebookCell.code("int c = 3;"));
        NotebookFailure f = failure(nb);
        assertEquals(NotebookFailure.Kind.COMPILE_ERROR, f.kind());
        assertEquals(3, f.cellNumber());
        assertEquals(2, f.executionCount());
        assertTrue(f.getMessage().contains("cell 3 (In [2]) does not compile: line 2: cannot find symbol"),
                f.getMessage());
        assertTrue(f.getMessage().contains("undefinedVariable"), f.getMessage());
    }

    @Test
    void exceptionNamesCellAndKeepsStackTraceWithCause() throws Exception {
        Notebook nb = saved("broken-exception", NotebookCell.code("int a = 1;"),
                NotebookCell.code("System.out.println(\"before\");\n"
                        + "void fail() { throw new IllegalStateException(\"boom\", new java.io.IOException(\"disk\")); }\n"
                        + "fail();"));
        NotebookFailure f = failure(nb);
        assertEquals(NotebookFailure.Kind.EXCEPTION, f.kind());
        assertEquals(2, f.cellNumber());
        String m = f.getMessage();
        assertTrue(m.startsWith("notebook " + tmp.resolve("broken-exception.ipynb") + ": cell 2 (In [2]) threw an "
                + "exception: line 3: java.lang.IllegalStateException: boom"), m);
        assertTrue(m.contains("at REPL.") && m.contains("fail("), m);
        assertTrue(m.contains("Caused by: java.io.IOException: disk"), m);
        assertTrue(!m.contains("jdk.internal.reflect"), "runner frames below the snippet are left out: " + m);
        assertEquals("before\n", f.cellOutput());
    }

    @Test
    void missingFileNamesCellAndFile() throws Exception {
        Path files = tmp.resolve("files");
        Files.createDirectories(files);
        Files.writeString(files.resolve("figure.png"), "left over from an earlier run");
        Notebook nb = saved("broken-file", NotebookCell.code("int a = 1;", "figure.png"));
        NotebookFailure f = failure(nb);
        assertEquals(NotebookFailure.Kind.MISSING_FILE, f.kind());
        assertEquals(1, f.cellNumber());
        assertTrue(f.getMessage().contains("cell 1 (In [1]) did not write a file it says it writes: figure.png"),
                f.getMessage());
    }

    @Test
    void unknownMagicAndIncompleteCodeAreErrors() throws Exception {
        NotebookFailure magic = failure(saved("magic", NotebookCell.code("int a = 1;\n%time a")));
        assertEquals(NotebookFailure.Kind.UNSUPPORTED_MAGIC, magic.kind());
        assertTrue(magic.getMessage().contains("line 2: %time"), magic.getMessage());
        NotebookFailure incomplete = failure(saved("incomplete", NotebookCell.code("int a = 1;\nfor (int i = 0; i < 3; i++) {")));
        assertEquals(NotebookFailure.Kind.INCOMPLETE_CODE, incomplete.kind());
        assertTrue(incomplete.getMessage().contains("line 2: for (int i"), incomplete.getMessage());
    }

    @Test
    void staleStoredOutputsAreFound() throws Exception {
        Notebook nb = saved("stale", NotebookCell.code("System.out.println(\"loss 0.500 after 10 steps\");"));
        Notebook executed = runner.run(nb, tmp.resolve("files")).notebook();
        String json = executed.toJson();
        Notebook edited = Notebook.parse(json.replace("loss 0.500", "loss 0.501"), "edited");
        assertEquals(List.of("cell 1 (In [1]): output 1: line 1 stored \"loss 0.501 after 10 steps\", now "
                + "\"loss 0.500 after 10 steps\""), StoredOutputCheck.differences(edited, executed));
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(edited.toJson());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("metadata")).putObject("retinanet4j")
                .put("output_tolerance", 0.01);
        Notebook tolerant = Notebook.parse(tree.toString(), "tolerant");
        assertEquals(List.of(), StoredOutputCheck.differences(tolerant, executed));
        assertEquals(1, StoredOutputCheck.differences(nb, executed).size(), "a notebook without outputs is stale");
    }

    @Test
    void trainingNumbersAreComparedOnlyOnTheKindOfProcessorThatWroteThem() throws Exception {
        Notebook nb = saved("cpu", NotebookCell.code("System.out.println(\"AP50 0.164 after 100 iterations\");"));
        Notebook executed = runner.run(nb, tmp.resolve("files")).notebook();
        assertEquals(CpuModel.current(), executed.setting(StoredOutputCheck.EXECUTED_ON_SETTING).asText(),
                "an executed notebook names the processor it ran on");
        Notebook other = Notebook.parse(executed.toJson().replace("AP50 0.164", "AP50 0.120"), "other")
                .withSetting(StoredOutputCheck.TOLERANCE_SETTING, "0.05");
        assertEquals(List.of(), StoredOutputCheck.differences(
                other.withSetting(StoredOutputCheck.EXECUTED_ON_SETTING, "Intel Xeon, family 6 model 143, avx512f"),
                executed), "training numbers from another kind of processor are not compared");
        assertEquals(1, StoredOutputCheck.differences(other, executed).size(),
                "on the processor that wrote them they are");
        Notebook exact = Notebook.parse(executed.toJson().replace("AP50 0.164", "AP50 0.120"), "exact")
                .withSetting(StoredOutputCheck.EXECUTED_ON_SETTING, "Intel Xeon, family 6 model 143, avx512f");
        assertEquals(1, StoredOutputCheck.differences(exact, executed).size(),
                "a notebook without a tolerance is compared exactly everywhere");
        Notebook picture = Notebook.parse(executed.toJson(), "fewer").withOutputs(java.util.Map.of())
                .withSetting(StoredOutputCheck.TOLERANCE_SETTING, "0.05")
                .withSetting(StoredOutputCheck.EXECUTED_ON_SETTING, "Intel Xeon, family 6 model 143, avx512f");
        assertEquals(1, StoredOutputCheck.differences(picture, executed).size(),
                "a missing output is stale on any processor");
    }

    @Test
    void theProcessorIsNamedWithItsFamilyModelAndVectorExtension() {
        List<String> cpuinfo = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 26",
                "model\t\t: 2", "model name\t: AMD EPYC", "flags\t\t: fpu sse avx2 avx512f avx512bw", "",
                "processor\t: 1", "model name\t: other");
        assertEquals("AMD EPYC, family 26 model 2, avx512f", CpuModel.describe(cpuinfo));
        assertEquals("Intel Xeon, family 6 model 85, avx2", CpuModel.describe(List.of("cpu family : 6",
                "model : 85", "model name : Intel Xeon", "flags : sse avx avx2")));
    }
}
