package dev.fuseml.project;

/** The pushed code cannot run as a FuseML project; the message names the problem and the fix. */
public class InvalidProjectException extends Exception {
    public InvalidProjectException(String message) {
        super(message);
    }
}
