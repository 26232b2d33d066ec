package org.retinanet4j.data.records;

/**
 * A record that does not fit {@link DetectionRecord}'s layout (wrong field count, type or shape). The message names
 * the record (reader and position, and the image id once it is known) and the field at fault. Unlike a missing or
 * undecodable image, which is skipped and counted, a malformed record is a fault of the reader that produced it,
 * so it stops the iteration.
 */
public class InvalidRecordException extends IllegalArgumentException {

    public InvalidRecordException(String message) {
        super(message);
    }
}
