package dev.fuseml.eventing.payload;

/**
 * Data of {@code dev.fuseml.failed}.
 *
 * @param step       the step that failed (receive, build, train, register, serve, or delivery)
 * @param cause      one line that names the problem and, where known, the fix
 * @param logExcerpt the last lines of the step's log, may be empty
 */
public record Failed(String step, String cause, String logExcerpt) {
}
