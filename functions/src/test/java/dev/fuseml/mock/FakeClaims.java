package dev.fuseml.mock;

import dev.fuseml.step.Claims;
import dev.fuseml.step.RunRef;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Claims in memory with the control plane's rules and a clock the test moves, shared by as many step runners as a
 * test wants replicas.
 */
public class FakeClaims implements Claims {
    private record Held(String owner, long leaseUntil, int attempt, String status, StoredEvent output) {
    }

    public final AtomicLong now = new AtomicLong();
    private final long lease;
    private final Map<String, Held> held = new HashMap<>();
    private final Map<String, Boolean> endedRuns = new HashMap<>();
    public int claims;

    public FakeClaims(Duration lease) {
        this.lease = lease.toMillis();
    }

    public synchronized void endRun(String run) {
        endedRuns.put(run, true);
    }

    public synchronized void advance(Duration by) {
        now.addAndGet(by.toMillis());
    }

    @Override
    public synchronized Decision claim(RunRef ref, String step, String owner, StoredEvent input) {
        claims++;
        Held current = held.get(ref.run() + "/" + step);
        if (current != null && "succeeded".equals(current.status())) {
            return new Done(current.output());
        }
        if (endedRuns.containsKey(ref.run()) || (current != null && "failed".equals(current.status()))) {
            return new RunEnded();
        }
        if (current != null && current.leaseUntil() > now.get() && !current.owner().equals(owner)) {
            return new HeldElsewhere(current.owner());
        }
        int attempt = current == null ? 1 : current.attempt() + 1;
        held.put(ref.run() + "/" + step, new Held(owner, now.get() + lease, attempt, "running", null));
        return new Start(current != null, attempt);
    }

    @Override
    public synchronized boolean renew(RunRef ref, String step, String owner) {
        Held current = held.get(ref.run() + "/" + step);
        if (current == null || !current.owner().equals(owner) || !"running".equals(current.status())) {
            return false;
        }
        held.put(ref.run() + "/" + step, new Held(owner, now.get() + lease, current.attempt(), "running", null));
        return true;
    }

    @Override
    public synchronized boolean complete(RunRef ref, String step, String owner, boolean succeeded,
            StoredEvent output) {
        Held current = held.get(ref.run() + "/" + step);
        if (current == null || !current.owner().equals(owner) || !"running".equals(current.status())) {
            return false;
        }
        held.put(ref.run() + "/" + step, new Held(owner, current.leaseUntil(), current.attempt(),
                succeeded ? "succeeded" : "failed", output));
        return true;
    }

    /** Someone else takes the step over, as another replica would once the lease ran out. */
    public synchronized void takeOver(RunRef ref, String step, String owner) {
        Held current = held.get(ref.run() + "/" + step);
        held.put(ref.run() + "/" + step, new Held(owner, now.get() + lease, current == null ? 1
                : current.attempt() + 1, "running", null));
    }
}
