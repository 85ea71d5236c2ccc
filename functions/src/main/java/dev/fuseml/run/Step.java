package dev.fuseml.run;

import java.time.Instant;

/**
 * One step of a run.
 *
 * @param owner  the orchestrator process that runs it: a step still running under a process that is gone was
 *               interrupted by a crash and is started again
 * @param input  the event that started it
 * @param output the event it emitted, answered again to a duplicate delivery
 */
public record Step(String name, String status, Instant started, Instant ended, String owner, StoredEvent input,
        StoredEvent output) {
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public Step finished(String outcome, StoredEvent emitted) {
        return new Step(name, outcome, started, Instant.now(), owner, input, emitted);
    }

    public boolean running() {
        return RUNNING.equals(status);
    }
}
