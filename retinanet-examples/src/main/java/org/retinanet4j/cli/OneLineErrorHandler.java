package org.retinanet4j.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one line on stderr (the full trace goes to the debug log):
 * users get an explanation, not a stack trace. {@link IllegalArgumentException} and
 * {@link java.io.UncheckedIOException}/{@link java.io.IOException} mean bad input (exit 2); anything else exit 1.
 */
final class OneLineErrorHandler implements CommandLine.IExecutionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(OneLineErrorHandler.class);

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        log.debug("command failed", ex);
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cmd.getErr().println("error: " + message.lines().findFirst().orElse(message));
        boolean badInput = ex instanceof IllegalArgumentException
                || ex instanceof java.io.IOException
                || ex instanceof java.io.UncheckedIOException;
        return badInput ? 2 : 1;
    }
}
