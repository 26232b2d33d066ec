package org.retinanet4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the Spark context for training, failing fast and clearly instead of waiting forever: a standalone master
 * ({@code spark://host:port}) that cannot be reached is reported before Spark is started (Spark itself would
 * retry for a minute and then leave jobs waiting for executors), and a cluster that gives no executor within the
 * timeout is reported too. {@code local[N]} needs neither check.
 */
public final class SparkContexts {
    private static final Logger log = LoggerFactory.getLogger(SparkContexts.class);

    /** Pass as the master to use the one {@code spark-submit} was given ({@code --master}). */
    public static final String FROM_SPARK_SUBMIT = "spark-submit";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private SparkContexts() {
    }

    /**
     * @param master           {@code local[N]}, {@code spark://host:port}, {@code yarn}, ... or {@value #FROM_SPARK_SUBMIT}
     * @param executorsTimeout how long to wait for the first executor of a cluster master
     * @throws IllegalArgumentException naming the master when it cannot be reached or gives no executor in time
     */
    public static JavaSparkContext open(String master, String appName, Duration executorsTimeout) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (!FROM_SPARK_SUBMIT.equals(master)) {
            conf.setMaster(master);
        }
        String effective = conf.get("spark.master", null);
        if (effective == null) {
            throw new IllegalArgumentException("--spark " + master + ": no master given (spark-submit sets one with "
                    + "--master; otherwise name it, e.g. local[2] or spark://host:7077)");
        }
        boolean local = effective.startsWith("local");
        if (effective.startsWith("spark://")) {
            checkReachable(effective);
        }
        if (local) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        if (!local) {
            awaitExecutors(sc, effective, executorsTimeout);
        }
        log.info("Spark {} (master {}), default parallelism {}", sc.version(), effective, sc.defaultParallelism());
        return sc;
    }

    /** Connects to each master of a {@code spark://h1:p1,h2:p2} URL; fails when none answers. */
    static void checkReachable(String master) {
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--spark " + master + ": '" + hostPort + "' is not host:port");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
                return;
            } catch (IOException e) {
                failures.add(hostPort + " (" + e.getMessage() + ")");
            }
        }
        throw new IllegalArgumentException("--spark " + master + ": cannot reach the Spark master at "
                + String.join(", ", failures) + "; is it running, and is this the address its web UI shows?");
    }

    private static void awaitExecutors(JavaSparkContext sc, String master, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sc.sc().getExecutorIds().isEmpty()) {
            if (System.nanoTime() > deadline) {
                sc.stop();
                throw new IllegalArgumentException("--spark " + master + ": no executor joined within "
                        + timeout.toSeconds() + " s; does the cluster have free cores and memory for this job?");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sc.stop();
                throw new IllegalStateException("interrupted while waiting for Spark executors", e);
            }
        }
    }
}
