package org.retinanet4j.bench;

import java.util.Arrays;
import java.util.Locale;

/** Median and minimum of measured run times, for the benchmark mains' one-line reports. */
final class BenchTimes {

    private BenchTimes() {
    }

    static String describe(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "median %.2f ms, min %.2f ms over %d runs", sorted[sorted.length / 2] / 1e6,
                sorted[0] / 1e6, sorted.length);
    }
}
