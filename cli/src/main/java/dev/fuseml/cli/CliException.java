package dev.fuseml.cli;

/** A failure the user can act on: printed as one line, without a stack trace, with exit code 1. */
public class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }
}
