package org.retinanet4j.loss;

import java.util.stream.IntStream;

/**
 * Runs a kernel over [rows, columns] data in column chunks of each row, in parallel, and adds up each row's
 * partial results. Chunks keep both cores busy for a single image (one 9.6-million-element row).
 */
final class RowChunks {
    /** Elements per task: large enough to amortise scheduling, small enough to balance two cores. */
    private static final int CHUNK = 1 << 16;

    private RowChunks() {
    }

    /** The kernel over flat indices [from, to) of one row; returns that chunk's contribution to the row sum. */
    @FunctionalInterface
    interface Kernel {
        double run(int row, int from, int to);
    }

    /**
     * Sum per row of the kernel's results. {@code align} keeps chunk borders on multiples of it (4 for boxes, so
     * an anchor's 4 values stay in one chunk).
     */
    static double[] sumPerRow(int rows, int columns, int align, Kernel kernel) {
        int chunk = Math.max(align, CHUNK / align * align);
        int chunksPerRow = Math.max(1, (columns + chunk - 1) / chunk);
        double[] partial = new double[rows * chunksPerRow];
        IntStream.range(0, partial.length).parallel().forEach(task -> {
            int row = task / chunksPerRow;
            int start = (task % chunksPerRow) * chunk;
            int end = Math.min(columns, start + chunk);
            long base = (long) row * columns;
            partial[task] = start < end ? kernel.run(row, (int) (base + start), (int) (base + end)) : 0;
        });
        double[] sums = new double[rows];
        for (int task = 0; task < partial.length; task++) {
            sums[task / chunksPerRow] += partial[task];
        }
        return sums;
    }
}
