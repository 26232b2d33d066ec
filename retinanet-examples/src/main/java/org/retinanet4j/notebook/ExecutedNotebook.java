package org.retinanet4j.notebook;

import java.util.List;

/**
 * The result of {@link NotebookRunner#run}: the notebook with the fresh outputs in place (write it with
 * {@link Notebook#write}) and, per code cell, its outputs and run time.
 */
public record ExecutedNotebook(Notebook notebook, List<CellRun> cells) {

    /** One executed code cell. */
    public record CellRun(int cellNumber, int executionCount, List<CellOutput> outputs, long nanos) {
    }

    public ExecutedNotebook {
        cells = List.copyOf(cells);
    }

    /** Total run time of the cells, in seconds. */
    public double seconds() {
        return cells.stream().mapToLong(CellRun::nanos).sum() / 1e9;
    }
}
