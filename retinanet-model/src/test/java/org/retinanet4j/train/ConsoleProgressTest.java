package org.retinanet4j.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Progress on a pipe or in a log file is plain lines (iteration, loss, images/s, ETA) without carriage returns;
 * on a terminal it is the redrawn bar.
 */
class ConsoleProgressTest {

    private static String run(boolean terminal) throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ConsoleProgress p = new ConsoleProgress(out, terminal, Duration.ofMillis(50))) {
            p.started(TrainingState.start(1), 100);
            for (int i = 1; i <= 20; i++) {
                p.iterationDone(new TrainingState(i, 0, i, 1, 2L * i, 0), 1.0 / i, 12.5);
                Thread.sleep(15);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aLogFileGetsPlainLines() throws Exception {
        String log = run(false);
        assertFalse(log.contains("\r"), "no carriage returns: " + log);
        List<String> lines = log.lines().toList();
        assertTrue(lines.size() >= 2 && lines.size() <= 20, "a line per interval, not per iteration: " + lines);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("train iteration 20/100 (20%), loss 0.0500, 12.5 img/s, elapsed 0:00:0"), last);
        assertTrue(lines.stream().anyMatch(l -> l.contains(", ETA ")), "lines before the end show an ETA: " + lines);
    }

    @Test
    void aTerminalGetsTheRedrawnBar() throws Exception {
        String bar = run(true);
        assertTrue(bar.contains("\r"), "redrawn with carriage returns");
        assertTrue(bar.contains("20/100") && bar.contains("loss 0.0500"), bar);
    }
}
