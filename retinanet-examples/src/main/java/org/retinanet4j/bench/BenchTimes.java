package org.retinanet4j.bench;

import java.util.Arrays;
import java.util.Locale;

/** Median, minimum and every run time, for the benchmark mains' one-line reports. */
final class BenchTimes {

    private BenchTimes() {
    }

    static String describe(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        StringBuilder each = new StringBuilder();
        for (long t : nanos) {
            each.append(each.length() == 0 ? "" : ", ").append(Math.round(t / 1e6));
        }
        return String.format(Locale.ROOT, "median %.2f ms, min %.2f ms over %d runs (in order: %s ms)",
                sorted[sorted.length / 2] / 1e6, sorted[0] / 1e6, sorted.length, each);
    }
}
