package org.retinanet4j.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Training progress (me.tongfei:progressbar) with iterations, loss, images per second and time left (ETA from this
 * run's pace), in the form that suits where it goes: on a terminal the redrawn bar; on a pipe or a log file one
 * plain line ({@link PlainProgressLine}) every {@link #LINE_INTERVAL}, with no carriage returns piling up.
 * For the command-line tool; it prints to the stream it is given (standard error, so results on standard output
 * stay clean).
 */
public final class ConsoleProgress implements ProgressReporter {
    /** How often a log file or pipe gets a progress line. */
    public static final Duration LINE_INTERVAL = Duration.ofSeconds(10);

    private final PrintStream out;
    private final boolean terminal;
    private final Duration lineInterval;
    private ProgressBar bar;
    private double lastValidation = Double.NaN;

    /** The redrawn bar (for a terminal). */
    public ConsoleProgress(PrintStream out) {
        this(out, true, LINE_INTERVAL);
    }

    /** The bar when {@code terminal}, else a plain line every {@code lineInterval}. */
    public ConsoleProgress(PrintStream out, boolean terminal, Duration lineInterval) {
        this.out = out;
        this.terminal = terminal;
        this.lineInterval = lineInterval;
    }

    /** Progress on {@link System#err}: the bar if it is a terminal, plain lines if it goes to a file or pipe. */
    public static ConsoleProgress forStandardError() {
        return new ConsoleProgress(System.err, standardErrorIsTerminal(), LINE_INTERVAL);
    }

    /**
     * Whether file descriptor 2 is a terminal: on Linux, where {@code /proc/self/fd/2} points ({@code /dev/pts/N},
     * {@code /dev/ttyN}) rather than to a file or a pipe; elsewhere whether the JVM has a console. The system
     * property {@code retinanet.progress} ({@code bar} or {@code lines}) decides instead when set.
     */
    static boolean standardErrorIsTerminal() {
        String forced = System.getProperty("retinanet.progress");
        if (forced != null) {
            return !forced.equalsIgnoreCase("lines");
        }
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (java.io.IOException | SecurityException | UnsupportedOperationException e) {
            // fall through
        }
        return System.console() != null;
    }

    @Override
    public void started(TrainingState from, long totalIterations) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(totalIterations)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" it", 1)
                .setSpeedUnit(ChronoUnit.SECONDS)
                .startsFrom(from.iteration(), Duration.ZERO);
        if (terminal) {
            builder.setUpdateIntervalMillis(1000).setConsumer(new ConsoleProgressBarConsumer(out));
        } else {
            builder.setUpdateIntervalMillis(Math.toIntExact(Math.max(1, lineInterval.toMillis())))
                    .setRenderer(new PlainProgressLine())
                    .setConsumer(new DelegatingProgressBarConsumer(out::println, 200));
        }
        bar = builder.build();
    }

    @Override
    public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
        if (bar == null) {
            return;
        }
        bar.stepTo(state.iteration());
        String val = Double.isNaN(lastValidation) ? "" : String.format(java.util.Locale.ROOT, ", val %.3f",
                lastValidation);
        bar.setExtraMessage(String.format(java.util.Locale.ROOT, imagesPerSecond < 10 ? " loss %.4f, %.2f img/s%s"
                : " loss %.4f, %.1f img/s%s", loss, imagesPerSecond, val));
    }

    @Override
    public void expectedIterations(long iterations) {
        if (bar != null && iterations > 0) {
            bar.maxHint(iterations); // the bar's total and ETA follow the time limit
        }
    }

    @Override
    public void validated(TrainingState state, double map) {
        lastValidation = map;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
