package org.retinanet4j.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Heap bytes the calling thread allocates and the collections the JVM runs between {@link #start} and {@link
 * #report}: every short-lived ND4J array costs Java objects (its shape buffer, its deallocation record), so the
 * bytes per training step count the arrays a step makes, and the collections are what they cost.
 */
final class HeapCosts {
    private long allocated;
    private long collections;
    private long collectionMillis;
    private long threadId;

    void start() {
        threadId = Thread.currentThread().getId();
        allocated = allocatedBytes();
        collections = collections();
        collectionMillis = collectionMillis();
    }

    String report(int steps) {
        return String.format(Locale.ROOT, "heap: main thread allocated %.2f MB per step; %d collections, %d ms in all",
                (allocatedBytes() - allocated) / 1e6 / Math.max(1, steps), collections() - collections,
                collectionMillis() - collectionMillis);
    }

    private long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(threadId);
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long collectionMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }
}
