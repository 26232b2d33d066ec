package org.retinanet4j.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .ci/run} itself, copied into a scratch project and run against fakes on the PATH: {@code apt-get}
 * (succeeds or fails as told), {@code mvn} (records its arguments, writes one surefire report, exits as told) and a
 * Python whose {@code -c "import torch..."} succeeds or fails as told (anything else goes to the real interpreter,
 * which runs the summary script). A failed torch install stops CI before any test can skip; with torch importable
 * the script runs the README's test command and a skipped parity test fails it.
 */
class CiRunScriptTest {

    private static final String PYTHON = System.getProperty("retinanet.python", "/usr/bin/python3");

    @TempDir
    Path dir;
    private Path project;
    private Path bin;

    private record Result(int code, String out) {
    }

    @BeforeEach
    void scratchProject() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)) && Files.isExecutable(Path.of("/bin/bash")),
                "CI script test not run: it needs /bin/bash and a Python at " + PYTHON + " (-Dretinanet.python)");
        project = dir.resolve("project");
        Files.createDirectories(project.resolve(".ci"));
        for (String f : List.of("run", "test_summary.py")) {
            Files.copy(projectRoot().resolve(".ci").resolve(f), project.resolve(".ci").resolve(f));
        }
        bin = Files.createDirectories(dir.resolve("bin"));
        script("apt-get", "echo \"apt-get $*\" >> \"$FAKE_LOG\"; exit \"${FAKE_APT_RC:-0}\"");
        script("mvn", "echo \"mvn $*\" >> \"$FAKE_LOG\"\n"
                + "mkdir -p mod/target/surefire-reports\n"
                + "cat > mod/target/surefire-reports/TEST-org.sample.SampleTest.xml <<EOF\n"
                + "<testsuite name=\"org.sample.SampleTest\"><testcase name=\"runs\" classname=\"org.sample.SampleTest\">"
                + "${FAKE_SKIP:+<skipped message='$FAKE_SKIP'/>}</testcase></testsuite>\nEOF\n"
                + "exit \"${FAKE_MVN_RC:-0}\"");
        script("python", "if [ \"$1\" = -c ]; then echo \"python $*\" >> \"$FAKE_LOG\"; "
                + "exit \"${FAKE_IMPORT_RC:-0}\"; fi\nexec " + PYTHON + " \"$@\"");
    }

    @Test
    void failedTorchInstallStopsCiBeforeAnyTestRuns() throws Exception {
        Result r = run("FAKE_IMPORT_RC", "1", "FAKE_APT_RC", "100");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("error: could not install python3-torch and python3-torchvision"), r.out());
        assertFalse(log().contains("mvn"), "no tests ran: " + log());
    }

    @Test
    void installThatLeavesTorchUnimportableStopsCi() throws Exception {
        Result r = run("FAKE_IMPORT_RC", "1");
        assertEquals(1, r.code(), r.out());
        assertTrue(log().contains("apt-get install -y -qq python3-torch python3-torchvision python3-numpy"
                + " python3-nbformat"), log());
        assertTrue(r.out().contains("cannot import torch, torchvision, numpy and nbformat"), r.out());
        assertFalse(log().contains("mvn"), "no tests ran: " + log());
    }

    @Test
    void withTorchItRunsTheReadmeTestCommandAndEndsWithTheCount() throws Exception {
        Result r = run();
        assertEquals(0, r.code(), r.out());
        assertEquals(List.of("python -c import torch, torchvision, numpy, nbformat", readmeTestCommand()),
                List.of(log().strip().split("\n")), "nothing installed, then exactly the README's command");
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals("test summary: 1 tests, 0 failed or in error, 0 skipped", lines.get(lines.size() - 1), r.out());
    }

    @Test
    void skippedParityTestFailsCiEvenWhenMavenPasses() throws Exception {
        Result r = run("FAKE_SKIP", "torchvision parity test skipped: cannot import torch");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("1 torchvision parity test(s) skipped: org.sample.SampleTest.runs"), r.out());
    }

    @Test
    void failingTestsKeepMavensExitStatus() throws Exception {
        Result r = run("FAKE_MVN_RC", "3");
        assertEquals(3, r.code(), r.out());
    }

    /** The README's test command: the code on the line that says CI runs it. */
    private static String readmeTestCommand() throws IOException {
        return Files.readAllLines(projectRoot().resolve("README.md")).stream()
                .filter(l -> l.contains("CI runs exactly this through .ci/run")).map(l -> l.split("#")[0].trim())
                .findFirst().orElseThrow(() -> new AssertionError("README names no CI test command"));
    }

    private String log() throws IOException {
        Path log = dir.resolve("fake.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private void script(String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/bash\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result run(String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", project.resolve(".ci/run").toString())
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("RETINANET_CI_PYTHON", bin.resolve("python").toString());
        pb.environment().put("FAKE_LOG", dir.resolve("fake.log").toString());
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), ".ci/run did not finish");
        return new Result(p.exitValue(), out);
    }

    /** The project root: the first parent of the working directory that holds {@code .ci/run}. */
    private static Path projectRoot() {
        Path d = Paths.get("").toAbsolutePath();
        while (d != null && !Files.isRegularFile(d.resolve(".ci/run"))) {
            d = d.getParent();
        }
        if (d == null) {
            throw new IllegalStateException(".ci/run not found above " + Paths.get("").toAbsolutePath());
        }
        return d;
    }
}
