package org.retinanet4j.train;

import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

import java.time.Duration;
import java.util.Locale;

/**
 * The progress bar as one plain line, for logs and pipes: {@code train iteration 450/1200 (37%), loss 0.8123,
 * 10.4 img/s, elapsed 0:03:02, ETA 0:05:03} (ETA from this run's pace; the loss and speed come from the bar's extra
 * message). A {@link ProgressBarRenderer} for me.tongfei's progressbar, which decides when to print.
 */
final class PlainProgressLine implements ProgressBarRenderer {

    @Override
    public String render(ProgressState p, int maxLength) {
        long current = p.getCurrent();
        long max = p.getMax();
        StringBuilder sb = new StringBuilder(p.getTaskName()).append(" iteration ").append(current);
        if (max > 0) {
            sb.append('/').append(max).append(String.format(Locale.ROOT, " (%d%%)", 100 * current / max));
        }
        String extra = p.getExtraMessage();
        if (extra != null && !extra.isBlank()) {
            sb.append(", ").append(extra.trim());
        }
        Duration elapsed = p.getElapsedAfterStart();
        sb.append(", elapsed ").append(format(elapsed));
        long done = current - p.getStart();
        if (max > 0 && done > 0 && current < max) {
            sb.append(", ETA ").append(format(elapsed.multipliedBy(max - current).dividedBy(done)));
        }
        return sb.toString();
    }

    static String format(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
