package org.retinanet4j.notebook;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The functions a notebook session imports statically, with the signatures of JJava's and IJava's notebook
 * functions, so a notebook calls them the same way in a Java kernel and in the build's {@link NotebookRunner}.
 */
public final class NotebookStatics {

    private static final AtomicInteger DISPLAYS = new AtomicInteger();

    private NotebookStatics() {
    }

    /**
     * Shows {@code o} in the cell's output now: a {@code BufferedImage} (or an xchart chart) as a PNG picture,
     * anything else as text. Returns the display's id, as the kernels do.
     */
    public static String display(Object o) {
        CellCapture capture = CellCapture.current();
        if (capture == null) {
            throw new IllegalStateException("display() is only available while a notebook cell runs");
        }
        capture.display(o);
        return "display-" + DISPLAYS.incrementAndGet();
    }

    /** Ids start again at 1 for each run, so the same notebook gives the same outputs. */
    static void resetIds() {
        DISPLAYS.set(0);
    }

    /** {@code System.out.printf}, as the kernels offer it. */
    public static void printf(String format, Object... args) {
        System.out.printf(format, args);
    }
}
