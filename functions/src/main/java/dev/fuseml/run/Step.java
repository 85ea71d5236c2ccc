package dev.fuseml.run;

import java.time.Instant;

/** One step of a run, as the control plane projects it from claims (started) and the chain's events (ended). */
public record Step(String name, String status, Instant started, Instant ended) {
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public Step finished(String outcome, Instant at) {
        return new Step(name, outcome, started == null ? at : started, at);
    }

    public boolean running() {
        return RUNNING.equals(status);
    }
}
