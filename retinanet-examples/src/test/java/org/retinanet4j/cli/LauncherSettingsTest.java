package org.retinanet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./retinanet} launcher, copied into a scratch project (already built: no sources newer than its class
 * path file) with a fake {@code java} on the PATH that prints the wait policy it was given and its arguments: the
 * young generation follows the heap, JavaCPP's physical-memory check is off unless asked for, and OpenMP's threads
 * sleep while they wait exactly when other processes keep half a core or more busy (docs/training.md, "JVM settings
 * for speed in your own application").
 */
class LauncherSettingsTest {

    private static final Pattern BUSY = Pattern.compile("keep (\\d+)\\.(\\d\\d) cores busy");

    @TempDir
    Path dir;
    private Path project;
    private Path bin;

    @BeforeEach
    void scratchProject() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && Files.isReadable(Path.of("/proc/stat")),
                "launcher test not run: it needs /bin/bash and Linux's /proc/stat");
        project = Files.createDirectories(dir.resolve("project"));
        Files.copy(projectRoot().resolve("retinanet"), project.resolve("retinanet"));
        Files.createDirectories(project.resolve("retinanet-examples/target"));
        Files.writeString(project.resolve("retinanet-examples/target/classpath.txt"), "deps.jar");
        bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/bash\necho \"policy=${OMP_WAIT_POLICY:-unset}\"\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void youngGenerationIsAQuarterOfTheHeapAndThePhysicalCheckIsOffByDefault() throws Exception {
        List<String> args = launch(Map.of("OMP_WAIT_POLICY", "ACTIVE"));
        assertTrue(args.contains("policy=ACTIVE"), "a policy the user set wins: " + args);
        assertTrue(args.contains("-Xmx4g") && args.contains("-Xmn1024m"), args.toString());
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=0"), args.toString());

        args = launch(Map.of("OMP_WAIT_POLICY", "ACTIVE", "RETINANET_HEAP", "300m", "RETINANET_PHYSICAL", "18G"));
        assertTrue(args.contains("-Xmx300m") && args.contains("-Xmn75m"), args.toString());
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=18G"), args.toString());

        args = launch(Map.of("OMP_WAIT_POLICY", "ACTIVE", "RETINANET_HEAP", "3G"));
        assertTrue(args.contains("-Xmn768m"), args.toString());
        args = launch(Map.of("OMP_WAIT_POLICY", "ACTIVE", "RETINANET_HEAP", "32m"));
        assertFalse(args.stream().anyMatch(a -> a.startsWith("-Xmn")), "a tiny heap keeps G1's sizing: " + args);
    }

    @Test
    void otherProcessesKeepingTheCoresBusyGetSleepingWaits() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) { // this JVM is "another process"
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait(); // busy, not sleeping: the CPU time the launcher must see
                }
            });
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
        try {
            Thread.sleep(200);
            List<String> args = launch(Map.of());
            assertTrue(args.contains("policy=PASSIVE"), "busy cores: sleeping waits; java saw " + args);
            assertTrue(args.get(0).startsWith("retinanet: other processes keep ")
                    && args.get(0).contains("OMP_WAIT_POLICY=PASSIVE"), "the user is told: " + args);
            String report = String.join("\n", launch(Map.of("RETINANET_WAIT_POLICY_ONLY", "1")));
            assertTrue(report.startsWith("OMP_WAIT_POLICY=PASSIVE"), report);
            assertTrue(busyCores(report) >= 0.5, report);
        } finally {
            stop.set(true);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }

    @Test
    void theChoiceFollowsTheMeasurementAtHalfACore() throws Exception {
        // whatever else this machine runs now: below half a busy core the threads spin, from half a core they sleep
        String report = String.join("\n", launch(Map.of("RETINANET_WAIT_POLICY_ONLY", "1")));
        double busy = busyCores(report);
        String expected = busy >= 0.5 ? "OMP_WAIT_POLICY=PASSIVE" : "OMP_WAIT_POLICY=default (spin)";
        assertTrue(report.startsWith(expected), busy + " busy cores: " + report);
        assertEquals(List.of("OMP_WAIT_POLICY=ACTIVE (set by the caller)"),
                launch(Map.of("RETINANET_WAIT_POLICY_ONLY", "1", "OMP_WAIT_POLICY", "ACTIVE")));
    }

    private static double busyCores(String report) {
        Matcher m = BUSY.matcher(report);
        assertTrue(m.find(), "no measurement in: " + report);
        return Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) / 100.0;
    }

    private List<String> launch(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", project.resolve("retinanet").toString(), "demo")
                .redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        for (String k : List.of("OMP_WAIT_POLICY", "RETINANET_HEAP", "RETINANET_PHYSICAL", "RETINANET_JAVA_OPTS",
                "RETINANET_WAIT_POLICY_ONLY")) {
            e.remove(k);
        }
        e.putAll(env);
        e.put("PATH", bin + ":" + e.getOrDefault("PATH", "/usr/bin:/bin"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private static Path projectRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("retinanet"))) {
            p = p.getParent();
        }
        Assumptions.assumeTrue(p != null, "project root with ./retinanet not found");
        return p;
    }
}
