package org.retinanet4j.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
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

    /**
     * An output folder that can be written: created if missing, then a probe file is written and deleted, so a
     * read-only or foreign folder is reported before any work instead of at the first checkpoint.
     */
    static Path writableFolder(Path p, String option) {
        outputFolder(p, option);
        try {
            Files.createDirectories(p);
            Files.delete(Files.createTempFile(p, ".write-check.", ".tmp"));
        } catch (IOException e) {
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getMessage();
            throw new IllegalArgumentException(option + ": cannot write to " + p + " (" + reason + ")");
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
