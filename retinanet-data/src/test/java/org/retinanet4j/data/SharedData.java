package org.retinanet4j.data;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared/data} through the {@code retinanet.shared.dir} system property; skips when absent. */
public final class SharedData {

    private SharedData() {
    }

    /** The VOC2012 sample folder, or a skipped test with a clear message. */
    public static Path vocSample() {
        String dir = System.getProperty("retinanet.shared.dir");
        Path p = dir == null ? null : Path.of(dir, "data", "voc2012-sample");
        Assumptions.assumeTrue(p != null && Files.isDirectory(p.resolve("Annotations")),
                "shared data absent (retinanet.shared.dir=" + dir + "): skipping the voc2012-sample test");
        return p;
    }
}
