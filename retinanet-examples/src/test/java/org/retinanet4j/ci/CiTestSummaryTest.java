package org.retinanet4j.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI guard {@code .ci/test_summary.py} on sample projects (surefire reports and test sources written by the
 * test): where torch is importable a skipped torchvision parity test, a disabled one, or one that never ran fails
 * the run; elsewhere the same skips are counted and explained; the log's last line is the count.
 */
class CiTestSummaryTest {

    private static final String PYTHON = System.getProperty("retinanet.python", "/usr/bin/python3");
    private static final String TORCH_SKIP = "torchvision parity test skipped: /usr/bin/python3 cannot import torch "
            + "and torchvision (Debian: apt-get install python3-torch python3-torchvision; .ci/run does this)";
    private static final String DATA_SKIP = "shared data ../shared/data/voc2012-sample is absent; skipping";

    @TempDir
    Path dir;

    private record Result(int code, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }

        String last() {
            return lines.get(lines.size() - 1);
        }
    }

    @Test
    void skippedParityTestFailsWhereTorchImports() throws Exception {
        sampleProject(TORCH_SKIP, null, DATA_SKIP);
        Result r = summary(true);
        assertEquals(1, r.code(), r.text());
        assertTrue(r.text().contains("error: /usr/bin/python3 imports torch, yet 1 torchvision parity test(s) "
                + "skipped: org.sample.torchvision.SampleParityTest.matchesTorchvision"), r.text());
        assertEquals("test summary: 4 tests, 0 failed or in error, 2 skipped (reasons above)", r.last());
    }

    @Test
    void sameSkipsAreCountedAndExplainedWhereTorchIsAbsent() throws Exception {
        sampleProject(TORCH_SKIP, null, DATA_SKIP);
        Result r = summary(false);
        assertEquals(0, r.code(), r.text());
        assertTrue(r.text().contains("  1 skipped because: " + TORCH_SKIP + "\n"
                + "      org.sample.torchvision.SampleParityTest.matchesTorchvision"), r.text());
        assertTrue(r.text().contains("  1 skipped because: " + DATA_SKIP + "\n"
                + "      org.sample.voc.SampleDataTest.readsTheSample"), r.text());
        assertTrue(!r.text().contains("error:"), r.text());
        assertEquals("test summary: 4 tests, 0 failed or in error, 2 skipped (reasons above)", r.last());
    }

    @Test
    void disabledParityTestFailsWhereTorchImportsWhateverItsReason() throws Exception {
        // the reason says nothing of torch: the class is known as a parity test from its source
        sampleProject("disabled until the fixture is regenerated", null, null);
        Result r = summary(true);
        assertEquals(1, r.code(), r.text());
        assertTrue(r.text().contains("1 torchvision parity test(s) skipped: "
                + "org.sample.torchvision.SampleParityTest.matchesTorchvision"), r.text());
    }

    @Test
    void parityClassWithoutAReportFailsWhereTorchImports() throws Exception {
        sampleProject(null, null, null);
        Files.delete(dir.resolve("mod-a/target/surefire-reports/TEST-org.sample.torchvision.SampleParityTest.xml"));
        Result r = summary(true);
        assertEquals(1, r.code(), r.text());
        assertTrue(r.lines().contains("error: torchvision parity test class(es) with no surefire report (not run): "
                + "org.sample.torchvision.SampleParityTest"), "only the test class is missing: " + r.text());
    }

    @Test
    void onlyOtherSkipsPassWhereTorchImportsAndFailuresAreCounted() throws Exception {
        sampleProject(null, "expected 3 but was 4", DATA_SKIP);
        Result r = summary(true);
        assertEquals(0, r.code(), r.text());
        assertTrue(r.text().contains("  1 skipped because: " + DATA_SKIP), r.text());
        assertEquals("test summary: 4 tests, 1 failed or in error, 1 skipped (reasons above)", r.last());
    }

    @Test
    void noReportsIsAnError() throws Exception {
        Files.createDirectories(dir.resolve("mod-a/target"));
        Result r = summary(false);
        assertEquals(1, r.code(), r.text());
        assertTrue(r.last().startsWith("test summary: no surefire reports"), r.text());
    }

    /**
     * Two modules: a parity test class (its source uses the fixture helper) with one test that passes and one
     * with {@code paritySkip} as skip reason (none when null), and a helper that uses it too but is no test class;
     * a data test class with one test failing with {@code failure} (passing when null) and one skipped with
     * {@code dataSkip} (passing when null).
     */
    private void sampleProject(String paritySkip, String failure, String dataSkip) throws IOException {
        String helper = "Torch" + "Fixtures";   // not spelled out, so this file is not taken for a parity test
        write("mod-a/src/test/java/org/sample/torchvision/SampleParityTest.java",
                "package org.sample.torchvision;\nclass SampleParityTest {\n"
                        + "    void matchesTorchvision() { " + helper + ".generate(\"r18\"); }\n}\n");
        write("mod-a/src/test/java/org/sample/torchvision/" + helper + ".java",
                "package org.sample.torchvision;\nfinal class " + helper + " {\n"
                        + "    static void generate(String n) { }\n}\n");
        write("mod-a/src/test/java/org/sample/torchvision/ParityChecks.java",
                "package org.sample.torchvision;\nfinal class ParityChecks {\n"
                        + "    static void check() { " + helper + ".generate(\"r18\"); }\n}\n");
        write("mod-b/src/test/java/org/sample/voc/SampleDataTest.java",
                "package org.sample.voc;\nclass SampleDataTest {}\n");
        report("mod-a", "org.sample.torchvision.SampleParityTest", new String[]{"loads", "matchesTorchvision"},
                new String[]{null, paritySkip == null ? null : skipped(paritySkip)});
        report("mod-b", "org.sample.voc.SampleDataTest", new String[]{"parses", "readsTheSample"},
                new String[]{failure == null ? null : "<failure message=\"" + failure + "\" type=\"org.opentest4j"
                        + ".AssertionFailedError\">stack</failure>", dataSkip == null ? null : skipped(dataSkip)});
    }

    /** A skip as surefire 3.2 writes an assumption failure: the exception, its message and the stack as text. */
    private static String skipped(String message) {
        return "<skipped type=\"org.opentest4j.TestAbortedException\"><![CDATA[org.opentest4j.TestAbortedException: "
                + "Assumption failed: " + message + "\n\tat org.junit.jupiter.api.Assumptions.assumeTrue"
                + "(Assumptions.java:115)\n]]></skipped>";
    }

    /** A surefire report of {@code cls}: one test case per name, with the given child element (or none). */
    private void report(String module, String cls, String[] names, String[] children) throws IOException {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite "
                + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"3.0.2\" name=\"" + cls
                + "\" time=\"0.5\" tests=\"" + names.length + "\" errors=\"0\" skipped=\"0\" failures=\"0\">\n"
                + "  <properties><property name=\"java.version\" value=\"17\"/></properties>\n");
        for (int i = 0; i < names.length; i++) {
            xml.append("  <testcase name=\"").append(names[i]).append("\" classname=\"").append(cls)
                    .append("\" time=\"0.1\"");
            xml.append(children[i] == null ? "/>\n" : ">\n    " + children[i] + "\n  </testcase>\n");
        }
        write(module + "/target/surefire-reports/TEST-" + cls + ".xml", xml.append("</testsuite>\n").toString());
    }

    private void write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private Result summary(boolean torchImportable) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, projectRoot().resolve(".ci/test_summary.py").toString()));
        if (torchImportable) {
            cmd.add("--torch-importable");
        }
        cmd.add(dir.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException noInterpreter) {
            Assumptions.abort("CI summary test not run: no Python interpreter at " + PYTHON + " (-Dretinanet.python)");
            throw noInterpreter;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the summary script did not finish");
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertTrue(!lines.isEmpty(), "no output");
        return new Result(p.exitValue(), lines);
    }

    /** The project root: the first parent of the working directory that holds {@code .ci/test_summary.py}. */
    private static Path projectRoot() {
        Path d = Paths.get("").toAbsolutePath();
        while (d != null && !Files.isRegularFile(d.resolve(".ci/test_summary.py"))) {
            d = d.getParent();
        }
        if (d == null) {
            throw new IllegalStateException(".ci/test_summary.py not found above " + Paths.get("").toAbsolutePath());
        }
        return d;
    }
}
