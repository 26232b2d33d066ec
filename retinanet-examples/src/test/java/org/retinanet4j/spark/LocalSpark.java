package org.retinanet4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/**
 * Base of the tests that need a two-core local Spark master: one context per test class, {@link #sc}, started
 * before its first test and stopped after its last (Spark allows one context per JVM at a time).
 */
abstract class LocalSpark {

    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = SparkContexts.open("local[2]", "retinanet-test", Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }
}
