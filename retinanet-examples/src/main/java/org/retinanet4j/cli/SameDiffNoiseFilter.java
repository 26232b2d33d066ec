package org.retinanet4j.cli;

import java.io.PrintStream;

/**
 * Standard output without SameDiff's build chatter: DL4J M2.1's {@code SameDiff} prints
 * "Added differentiated op ..." with {@code System.out.println} for every op each time a gradient graph is built
 * (the shared heads and the losses), which buried the demo's own output. Everything else passes through.
 */
final class SameDiffNoiseFilter extends PrintStream {
    private static final String NOISE = "Added differentiated op ";

    SameDiffNoiseFilter(PrintStream out) {
        super(out, true);
    }

    @Override
    public void println(String line) {
        if (line == null || !line.startsWith(NOISE)) {
            super.println(line);
        }
    }

    /** Replaces {@link System#out} once; the command line is created after this so it prints through the filter. */
    static void install() {
        if (!(System.out instanceof SameDiffNoiseFilter)) {
            System.setOut(new SameDiffNoiseFilter(System.out));
        }
    }
}
