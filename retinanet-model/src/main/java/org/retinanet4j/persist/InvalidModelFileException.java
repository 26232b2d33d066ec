package org.retinanet4j.persist;

import java.nio.file.Path;

/** A file that is not a readable RetinaNet4j model bundle (missing, truncated, or written by something else). */
public final class InvalidModelFileException extends IllegalArgumentException {
    private final transient Path file;

    public InvalidModelFileException(Path file, String why) {
        super(file + ": " + why);
        this.file = file;
    }

    public InvalidModelFileException(Path file, String why, Throwable cause) {
        super(file + ": " + why, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
