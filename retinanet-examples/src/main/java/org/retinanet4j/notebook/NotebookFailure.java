package org.retinanet4j.notebook;

/**
 * A notebook cell that did not run: it does not compile, it threw, or a file it says it writes is missing. The
 * message names the notebook, the cell (its position in the file and its {@code In [n]} number) and the cause.
 */
public final class NotebookFailure extends Exception {

    /** What went wrong. */
    public enum Kind {
        COMPILE_ERROR("does not compile"),
        INCOMPLETE_CODE("ends in the middle of a statement"),
        EXCEPTION("threw an exception"),
        MISSING_FILE("did not write a file it says it writes"),
        UNSUPPORTED_MAGIC("uses a kernel magic the runner cannot stand in for");

        private final String words;

        Kind(String words) {
            this.words = words;
        }
    }

    private final Kind kind;
    private final int cellNumber;
    private final int executionCount;
    private final String cellOutput;

    NotebookFailure(String notebook, NotebookCell cell, int executionCount, Kind kind, String detail,
                    String cellOutput, Throwable cause) {
        super("notebook " + notebook + ": cell " + cell.number() + " (In [" + executionCount + "]) " + kind.words
                + ": " + detail, cause);
        this.kind = kind;
        this.cellNumber = cell.number();
        this.executionCount = executionCount;
        this.cellOutput = cellOutput;
    }

    public Kind kind() {
        return kind;
    }

    /** Position of the failing cell in the notebook, from 1 (markdown cells count). */
    public int cellNumber() {
        return cellNumber;
    }

    /** The failing cell's {@code In [n]} number: its position among the code cells, from 1. */
    public int executionCount() {
        return executionCount;
    }

    /** What the failing cell printed before it failed (stdout and stderr), for diagnosis. */
    public String cellOutput() {
        return cellOutput;
    }
}
