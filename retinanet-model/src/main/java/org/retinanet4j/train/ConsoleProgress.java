package org.retinanet4j.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * A console progress bar (me.tongfei:progressbar) with iterations, loss, images per second and time left (ETA from this run's pace).
 * For the command-line tool; it prints to the stream it is given (standard error, so results on standard output
 * stay clean).
 */
public final class ConsoleProgress implements ProgressReporter {
    private final PrintStream out;
    private ProgressBar bar;
    private double lastValidation = Double.NaN;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void started(TrainingState from, long totalIterations) {
        bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(totalIterations)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .setUnit(" it", 1)
                .setSpeedUnit(ChronoUnit.SECONDS)
                .startsFrom(from.iteration(), Duration.ZERO)
                .build();
    }

    @Override
    public void iterationDone(TrainingState state, double loss, double imagesPerSecond) {
        if (bar == null) {
            return;
        }
        bar.stepTo(state.iteration());
        String val = Double.isNaN(lastValidation) ? "" : String.format(" val %.3f", lastValidation);
        bar.setExtraMessage(String.format("loss %.4f %.1f img/s%s", loss, imagesPerSecond, val));
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
