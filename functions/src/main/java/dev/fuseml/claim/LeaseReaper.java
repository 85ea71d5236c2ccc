package dev.fuseml.claim;

import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resumes steps whose owner died: when a running claim's lease runs out, the step's input event goes through the
 * broker again, and whichever replica of the step gets it claims the step and does it. This replaces any
 * "which process was it" bookkeeping: a killed step process, a killed node and a killed embedded orchestrator are
 * all just a lease that stopped being renewed.
 * <p>
 * It also sends again the result of a step that ended but whose result event never reached the run (a reply the
 * broker had stopped waiting for, an emit that found no broker): without it, such a run would wait forever.
 */
public class LeaseReaper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LeaseReaper.class.getName());
    private static final String SOURCE = "fuseml/control-plane";
    private final ClaimStore claims;
    private final RunStore runs;
    private final RunLog log;
    private final EventSink sink;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fuseml-lease-reaper");
        t.setDaemon(true);
        return t;
    });

    public LeaseReaper(ClaimStore claims, RunStore runs, RunLog log, EventSink sink) {
        this.claims = claims;
        this.runs = runs;
        this.log = log;
        this.sink = sink;
    }

    /**
     * Starts checking every {@code every}. {@code ownerFile} remembers the step owner of this process when it runs
     * steps itself (the embedded default): the leases of the previous one end at once, since it is gone.
     */
    public void start(Duration every, Path ownerFile, boolean runsSteps) throws IOException {
        if (runsSteps) {
            if (Files.isRegularFile(ownerFile)) {
                String previous = Files.readString(ownerFile).trim();
                int expired = claims.expireOwner(previous);
                if (expired > 0) {
                    LOG.log(System.Logger.Level.INFO, "resuming " + expired + " step(s) the previous process ran");
                }
            }
            Files.createDirectories(ownerFile.getParent());
            Files.writeString(ownerFile, StepRunner.OWNER);
        }
        timer.scheduleWithFixedDelay(this::check, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void check() {
        for (Claim claim : claims.abandoned()) {
            if (runs.get(claim.run()).map(r -> r.finished()).orElse(false)) {
                claims.drop(claim);
                continue;
            }
            try {
                log.note(claim.run(), claim.step(), "its owner (" + claim.owner() + ") stopped renewing its lease; "
                        + "resuming the step: its input goes through the broker again");
                sink.emit(new RunRef(claim.org(), claim.app(), claim.run()), SOURCE, claim.input().type(),
                        claim.input().data());
                claims.reemitted(claim);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not resume " + claim.step() + " of run " + claim.run()
                        + ": " + e.getMessage());
            }
        }
        for (Claim claim : claims.unannounced()) {
            try {
                log.note(claim.run(), claim.step(), "its result " + claim.output().type() + " has not reached the "
                        + "run a lease after the step ended; sending it again");
                sink.emit(new RunRef(claim.org(), claim.app(), claim.run()), StepRunner.source(claim.step()),
                        claim.output().type(), claim.output().data());
                claims.reemitted(claim);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not send the result of " + claim.step() + " of run "
                        + claim.run() + " again: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
