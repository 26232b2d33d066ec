package org.retinanet4j.spark;

import org.apache.spark.api.java.JavaSparkContext;

import java.time.Duration;

/** A two-core local Spark master for tests (one context per test class: Spark allows one per JVM at a time). */
final class LocalSpark {

    private LocalSpark() {
    }

    static JavaSparkContext open() {
        return SparkContexts.open("local[2]", "retinanet-test", Duration.ofSeconds(30));
    }
}
