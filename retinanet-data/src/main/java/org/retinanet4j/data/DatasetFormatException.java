package org.retinanet4j.data;

import java.io.IOException;

/**
 * A dataset file that cannot be read as its format requires. The message always names the file, the record
 * (image or annotation id, XML file, CSV line) and the field at fault, so a user can find and fix it.
 */
public class DatasetFormatException extends IOException {

    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
