package org.retinanet4j.notebook;

import java.util.List;

/**
 * One cell of a {@link Notebook}.
 *
 * @param number         position in the notebook, from 1 (markdown cells count too)
 * @param kind           code, markdown or raw
 * @param source         the cell's text
 * @param writes         files the cell says it writes (cell metadata {@code retinanet4j.writes}, paths relative
 *                       to the notebook's output folder); the runner fails when one is missing after the cell ran
 * @param outputs        the stored outputs (code cells)
 * @param executionCount the stored execution count, or null
 */
public record NotebookCell(int number, Kind kind, String source, List<String> writes, List<CellOutput> outputs,
                           Integer executionCount) {

    /** nbformat's {@code cell_type}. */
    public enum Kind {
        CODE, MARKDOWN, RAW;

        String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public NotebookCell {
        writes = List.copyOf(writes);
        outputs = List.copyOf(outputs);
    }

    /** A code cell for {@link Notebook#of}; {@code writes} are the files it promises to write. */
    public static NotebookCell code(String source, String... writes) {
        return new NotebookCell(0, Kind.CODE, source, List.of(writes), List.of(), null);
    }

    /** A markdown cell for {@link Notebook#of}. */
    public static NotebookCell markdown(String source) {
        return new NotebookCell(0, Kind.MARKDOWN, source, List.of(), List.of(), null);
    }

    public boolean isCode() {
        return kind == Kind.CODE;
    }
}
