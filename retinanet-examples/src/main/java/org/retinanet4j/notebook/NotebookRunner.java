package org.retinanet4j.notebook;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every code cell of a notebook, in order, in one JShell session in this JVM on this JVM's class path, as
 * a Java kernel (JJava, IJava) would: the kernels' {@code %maven}/{@code %jars}/{@code %classpath} lines are
 * taken as done, {@code display(...)} and the value of a cell's last expression become outputs, pictures as
 * {@code image/png}. A cell that does not compile, throws, or does not write a file its metadata lists
 * ({@code "retinanet4j": {"writes": ["figure.png"]}}) ends the run with a {@link NotebookFailure}.
 *
 * <p>Files: while a notebook runs, the system property {@value #OUTPUT_DIR_PROPERTY} names the folder for the
 * files it writes; notebooks read it with a default for a real kernel,
 * {@code Path.of(System.getProperty("notebook.outputDir", "focal-loss-output"))}, and their {@code writes}
 * entries are relative to it.
 *
 * <p>Reproducible outputs: numbers are formatted in {@link java.util.Locale#ROOT} while a notebook runs (a
 * kernel uses the machine's locale), and {@code display} ids start at 1 in each run.
 *
 * <p>The run takes over {@code System.out}/{@code System.err} while a cell runs, so runs are one at a time per
 * JVM (the method is synchronized on the class).
 */
public final class NotebookRunner {

    /** System property naming the folder a running notebook writes its files to. */
    public static final String OUTPUT_DIR_PROPERTY = "notebook.outputDir";

    private static final Logger log = LoggerFactory.getLogger(NotebookRunner.class);

    private final List<String> classPath;

    /** A runner whose sessions see this JVM's class path. */
    public NotebookRunner() {
        this(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).toList());
    }

    /** A runner whose sessions compile against these class path entries (the classes must also be loadable here). */
    public NotebookRunner(List<String> classPath) {
        this.classPath = List.copyOf(classPath);
    }

    /**
     * Runs the notebook's code cells with {@code outputDir} (created if needed) as the folder for its files.
     *
     * @return the notebook with the new outputs, and each cell's outputs and time
     * @throws NotebookFailure naming the first cell that failed and why
     */
    public ExecutedNotebook run(Notebook notebook, Path outputDir) throws NotebookFailure, IOException {
        synchronized (NotebookRunner.class) {
            Files.createDirectories(outputDir);
            String savedProperty = System.getProperty(OUTPUT_DIR_PROPERTY);
            System.setProperty(OUTPUT_DIR_PROPERTY, outputDir.toString());
            java.util.Locale savedLocale = java.util.Locale.getDefault();
            java.util.Locale.setDefault(java.util.Locale.ROOT);
            NotebookStatics.resetIds();
            try (NotebookSession session = new NotebookSession(classPath)) {
                return runCells(notebook, outputDir, session);
            } finally {
                java.util.Locale.setDefault(savedLocale);
                if (savedProperty == null) {
                    System.clearProperty(OUTPUT_DIR_PROPERTY);
                } else {
                    System.setProperty(OUTPUT_DIR_PROPERTY, savedProperty);
                }
            }
        }
    }

    private ExecutedNotebook runCells(Notebook notebook, Path outputDir, NotebookSession session)
            throws NotebookFailure, IOException {
        List<NotebookCell> code = notebook.codeCells();
        Map<Integer, List<CellOutput>> outputs = new LinkedHashMap<>();
        List<ExecutedNotebook.CellRun> runs = new ArrayList<>();
        int count = 0;
        for (NotebookCell cell : code) {
            count++;
            String source;
            try {
                source = KernelMagics.strip(cell.source());
            } catch (IllegalArgumentException e) {
                throw new NotebookFailure(notebook.sourceName(), cell, count,
                        NotebookFailure.Kind.UNSUPPORTED_MAGIC, e.getMessage(), "", null);
            }
            for (String f : cell.writes()) {
                Files.deleteIfExists(outputDir.resolve(f));   // a file left by an earlier run proves nothing
            }
            long t0 = System.nanoTime();
            List<CellOutput> cellOutputs;
            NotebookSession.CellOutcome outcome;
            try (CellCapture capture = CellCapture.install()) {
                outcome = session.eval(source);
                if (outcome.problem() == null && outcome.hasValue() && outcome.value() != null) {
                    capture.result(outcome.value());
                }
                cellOutputs = capture.outputs();
            }
            long nanos = System.nanoTime() - t0;
            if (outcome.problem() != null) {
                NotebookSession.Problem p = outcome.problem();
                throw new NotebookFailure(notebook.sourceName(), cell, count, p.kind(), p.detail(),
                        printed(cellOutputs), p.cause());
            }
            for (String f : cell.writes()) {
                Path file = outputDir.resolve(f);
                if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                    throw new NotebookFailure(notebook.sourceName(), cell, count, NotebookFailure.Kind.MISSING_FILE,
                            f + " (" + file + ") is " + (Files.exists(file) ? "empty" : "missing")
                                    + " after the cell ran", printed(cellOutputs), null);
                }
            }
            outputs.put(cell.number(), cellOutputs);
            runs.add(new ExecutedNotebook.CellRun(cell.number(), count, cellOutputs, nanos));
            log.info("{}: cell {} (In [{}]) of {} code cells ran in {} ms", notebook.sourceName(), cell.number(),
                    count, code.size(), nanos / 1_000_000);
        }
        return new ExecutedNotebook(notebook.withOutputs(outputs)
                .withSetting(StoredOutputCheck.EXECUTED_ON_SETTING, CpuModel.current()), runs);
    }

    private static String printed(List<CellOutput> outputs) {
        return outputs.stream().filter(o -> o.type() == CellOutput.Type.STREAM).map(CellOutput::text)
                .collect(Collectors.joining());
    }
}
