package dev.fuseml.claim;

import dev.fuseml.step.Claims;

import java.time.Instant;

/**
 * Who does step {@code step} of run {@code run}, until when (the lease), and with which result.
 *
 * @param input     the event that started the step, emitted again when the owner's lease runs out
 * @param output    the event the step emitted, answered again to a redelivery
 * @param reemitted when the input was last emitted again, so that it is not sent at every check
 */
public record Claim(String run, String step, String org, String app, String owner, String status, int attempt,
        Instant started, Instant leaseUntil, Instant ended, Claims.StoredEvent input, Claims.StoredEvent output,
        Instant reemitted) {
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public boolean running() {
        return RUNNING.equals(status);
    }

    public boolean leaseLive(Instant now) {
        return running() && leaseUntil != null && leaseUntil.isAfter(now);
    }

    Claim renewed(Instant until) {
        return new Claim(run, step, org, app, owner, status, attempt, started, until, ended, input, output, reemitted);
    }

    Claim completed(boolean succeeded, Claims.StoredEvent result, Instant at) {
        return new Claim(run, step, org, app, owner, succeeded ? SUCCEEDED : FAILED, attempt, started, leaseUntil, at,
                input, result, reemitted);
    }

    Claim reemittedAt(Instant at) {
        return new Claim(run, step, org, app, owner, status, attempt, started, leaseUntil, ended, input, output, at);
    }

    Claim expired() {
        return new Claim(run, step, org, app, owner, status, attempt, started, Instant.EPOCH, ended, input, output,
                reemitted);
    }
}
