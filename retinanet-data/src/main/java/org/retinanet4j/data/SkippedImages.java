package org.retinanet4j.data;

import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Warnings about images a job skips (missing, unreadable, of the wrong size), summarised: the first
 * {@value #NAMED} each get a line with the file and the reason, the rest are counted, and {@link #summarise}
 * reports the count with the first names, so a thousand missing files give a handful of lines, not a thousand.
 * Thread-safe (loader threads report concurrently).
 */
public final class SkippedImages {
    /** Skipped images named one by one before the rest are only counted. */
    public static final int NAMED = 5;

    private final Logger log;
    private final AtomicLong total = new AtomicLong();
    private final List<String> names = new ArrayList<>();
    private long sinceSummary;

    public SkippedImages(Logger log) {
        this.log = log;
    }

    /** Records one skipped image; logs it while fewer than {@value #NAMED} have been since the last summary. */
    public void skipped(String fileName, long imageId, String reason) {
        total.incrementAndGet();
        long n;
        synchronized (names) {
            n = ++sinceSummary;
            if (names.size() < NAMED) {
                names.add(fileName);
            }
        }
        if (n <= NAMED) {
            log.warn("skipping image {} (id {}): {}", fileName, imageId, reason);
        } else if (n == NAMED + 1) {
            log.warn("more images are being skipped; they are counted and summarised at the end");
        }
    }

    /** Images skipped in all. */
    public long total() {
        return total.get();
    }

    /** Logs how many images were skipped since the last summary ({@code scope} says where, e.g. "epoch 0"). */
    public void summarise(String scope) {
        long n;
        List<String> first;
        synchronized (names) {
            n = sinceSummary;
            first = List.copyOf(names);
            sinceSummary = 0;
            names.clear();
        }
        if (n > 0) {
            log.warn("{}: {} {} skipped (missing, unreadable or not of the annotated size), first: {}{}", scope, n,
                    n == 1 ? "image" : "images", String.join(", ", first), n > first.size() ? ", ..." : "");
        }
    }
}
