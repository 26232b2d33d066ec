package org.retinanet4j.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One {@code ./retinanet} command run inside the test JVM: its exit code, what it printed, and how long it took. */
record CliRun(int exit, String out, String err, long millis) {

    /** Runs {@code args} through the tool's own command line, capturing standard output and error. */
    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaNetCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long t0 = System.nanoTime();
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** {@code r.assertOneLineError(expected)}, for calls that read better with the run first. */
    static void assertOneLineError(CliRun r, String... expected) {
        r.assertOneLineError(expected);
    }

    /** Exit code 2 and one line {@code error: ...} that contains every one of {@code expected}. */
    void assertOneLineError(String... expected) {
        assertEquals(2, exit, err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("error: "), err);
        for (String e : expected) {
            assertTrue(err.contains(e), "'" + e + "' in: " + err);
        }
    }
}
