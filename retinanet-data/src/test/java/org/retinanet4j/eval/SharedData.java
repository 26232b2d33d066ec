package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared/data (system property retinanet.shared.dir); tests skip when it is absent. */
final class SharedData {
    private SharedData() {
    }

    static Path cocoEvalSample() {
        String dir = System.getProperty("retinanet.shared.dir");
        Path p = dir == null ? null : Path.of(dir, "data", "coco-eval-sample");
        assumeTrue(p != null && Files.isRegularFile(p.resolve("expected-stats.json")),
                "shared data ../shared/data/coco-eval-sample is absent (set -Dretinanet.shared.dir); skipping");
        return p;
    }
}
