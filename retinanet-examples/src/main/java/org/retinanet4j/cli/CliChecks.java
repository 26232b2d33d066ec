package org.retinanet4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of command-line arguments that end in one-line {@link IllegalArgumentException}s (exit code 2). */
final class CliChecks {

    private CliChecks() {
    }

    static Path existingFile(Path p, String option) {
        if (p == null) {
            throw new IllegalArgumentException(option + " is required");
        }
        if (Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + ": " + p + " is a folder, expected a file");
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(option + ": no such file " + p);
        }
        return p;
    }

    static Path existingPath(Path p, String option) {
        if (p == null || !Files.exists(p)) {
            throw new IllegalArgumentException(option + ": no such file or folder " + p);
        }
        return p;
    }

    static Path outputFolder(Path p, String option) {
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + ": " + p + " is a file, expected an output folder");
        }
        return p;
    }
}
