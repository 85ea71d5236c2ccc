package dev.fuseml.step;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.eventing.EventSchemas;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Failed;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What every step does around its own work: the (run, step) guard (a claim with a lease, renewed while the work
 * runs), turning a failure into a {@code dev.fuseml.failed} event, and for long steps, answering the delivery at once
 * and emitting the result to the sink when the work ends (Knative's K_SINK pattern). Steps never write run records:
 * the control plane keeps runs from the events they emit.
 */
public class StepRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StepRunner.class.getName());
    static final ObjectMapper JSON = dev.fuseml.state.JsonFiles.MAPPER;
    private static final int EXCERPT_LINES = 20;

    /** This process, as the owner of the steps it claims. */
    public static final String OWNER = "pid-" + ProcessHandle.current().pid() + "-"
            + UUID.randomUUID().toString().substring(0, 8);

    /** The event a step's work results in. */
    public record Outcome(String type, Object data) {
        /**
         * The work was handed to something that emits the result itself when it ends (a Kubernetes Job): the
         * step emits nothing, and its claim ends without a result to answer redeliveries with.
         */
        public static final Outcome HANDED_OVER = new Outcome(null, null);

        boolean handedOver() {
            return type == null;
        }
    }

    @FunctionalInterface
    public interface Work {
        Outcome run(RunRef ref) throws Exception;
    }

    /** A step at work in this process, renewed by the heartbeat. */
    private record Working(RunRef ref, String step, Future<?> task) {
    }

    private final Claims claims;
    private final StepLog log;
    private final EventSink sink;
    private final Supplier<String> controlPlane;
    private final String owner;
    private final Map<String, Duration> pauses;
    private final ReferenceGuard references;
    /**
     * How long a repeated delivery of a short step waits for the work already under way: less than the broker
     * waits for an answer, so that the answer reaches a broker still waiting for it.
     */
    private final Duration syncPatience;
    /** Steps at work in this process, each completed with its result when it ends (null when there is none). */
    private final Map<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Working> working = new ConcurrentHashMap<>();
    private final ExecutorService longSteps = Executors.newFixedThreadPool(4, daemon("fuseml-step"));
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
            daemon("fuseml-lease"));

    /**
     * @param controlPlane the control plane's URL, where the event schemas named in {@code dataschema} are
     * @param lease        how long a claim lasts without renewal; renewed every third of it
     */
    public StepRunner(Claims claims, StepLog log, EventSink sink, Supplier<String> controlPlane, Duration lease) {
        this(claims, log, sink, controlPlane, lease, OWNER, Map.of(), Duration.ofSeconds(30), ReferenceGuard.NONE);
    }

    /**
     * @param owner  who this runner is when it claims; each replica of a step has its own
     * @param pauses fault injection for crash tests ({@code fuseml.fault-pause}): how long a step waits after its
     *               work and before its result is recorded, the worst moment for a crash; empty in production
     * @param deliveryTimeout how long the broker waits for the answer to one delivery
     * @param references checks the references of every event's data against the run's org before the step acts
     */
    public StepRunner(Claims claims, StepLog log, EventSink sink, Supplier<String> controlPlane, Duration lease,
            String owner, Map<String, Duration> pauses, Duration deliveryTimeout, ReferenceGuard references) {
        this.references = references;
        this.pauses = Map.copyOf(pauses);
        this.syncPatience = deliveryTimeout.multipliedBy(2).dividedBy(3);
        this.claims = claims;
        this.log = log;
        this.sink = sink;
        this.controlPlane = controlPlane;
        this.owner = owner;
        long every = Math.max(100, lease.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** Who this process is when it claims a step. */
    public String owner() {
        return owner;
    }

    /**
     * Runs a short step now and answers the delivery with its result event (a Knative reply), or with nothing when
     * the run has ended. A delivery of a step that is at work already (the broker gave up waiting for the first and
     * tried again) waits for that work and answers with its result: acknowledging it with nothing would lose the
     * result, since the first delivery's reply has nobody left to take it.
     */
    public CloudEvent<Object> sync(String step, CloudEvent<?> input, Work work) {
        RunRef ref = runOf(input);
        String key = key(ref, step);
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> theirs = inFlight.putIfAbsent(key, mine);
        if (theirs != null) {
            return awaitOutcome(theirs, syncPatience).filter(o -> !o.handedOver()).map(o -> reply(ref, step, o))
                    .orElse(null);
        }
        Outcome result = null;
        try {
            Patience patience = new Patience(syncPatience);
            while (true) {
                Claims.Decision decision = claims.claim(ref, step, owner, stored(input.type(), input.data()));
                if (decision instanceof Claims.Done done) {
                    result = new Outcome(done.output().type(), done.output().data());
                    return result.handedOver() ? null : reply(ref, step, result);
                }
                if (decision instanceof Claims.Start start) {
                    working.put(key, new Working(ref, step, null));
                    Outcome outcome = execute(ref, step, start, input, work);
                    if (finish(ref, step, outcome)) {
                        result = outcome;
                        return outcome.handedOver() ? null : reply(ref, step, outcome);
                    }
                    return null;
                }
                // held by another replica: its result is the answer, if it comes before the broker gives up
                if (!(decision instanceof Claims.HeldElsewhere) || !patience.pause()) {
                    return null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            working.remove(key);
            inFlight.remove(key);
            mine.complete(result);
        }
    }

    /** The outcome of a short step at work in this process, if it comes within {@code patience}. */
    private static Optional<Outcome> awaitOutcome(CompletableFuture<Outcome> pending, Duration patience) {
        try {
            return Optional.ofNullable(pending.get(patience.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Optional.empty(); // the control plane re-emits a result that no reply carried (LeaseReaper)
        }
    }

    /** Accepts a long step's delivery at once; the work runs on its own thread and emits its result. */
    public void async(String step, CloudEvent<?> input, Work work) {
        RunRef ref = runOf(input);
        String key = key(ref, step);
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        if (inFlight.putIfAbsent(key, mine) != null) {
            return;
        }
        boolean handedOver = false;
        try {
            Claims.Decision decision = claims.claim(ref, step, owner, stored(input.type(), input.data()));
            if (decision instanceof Claims.Done done && done.output().type() != null) {
                longSteps.submit(() -> emit(ref, step, new Outcome(done.output().type(), done.output().data())));
            } else if (decision instanceof Claims.Start start) {
                handedOver = true;
                java.util.concurrent.FutureTask<Void> task = new java.util.concurrent.FutureTask<>(() -> {
                    try {
                        Outcome outcome = execute(ref, step, start, input, work);
                        if (finish(ref, step, outcome) && !outcome.handedOver()) {
                            emit(ref, step, outcome);
                        }
                    } finally {
                        working.remove(key);
                        inFlight.remove(key);
                        mine.complete(null);
                    }
                }, null);
                working.put(key, new Working(ref, step, task));
                longSteps.execute(task);
            }
        } finally {
            if (!handedOver) {
                inFlight.remove(key);
                mine.complete(null);
            }
        }
    }

    private Outcome execute(RunRef ref, String step, Claims.Start start, CloudEvent<?> input, Work work) {
        long began = System.nanoTime();
        log.note(ref.run(), step, start.resumed()
                ? "started again (attempt " + start.attempt() + "): the earlier attempt's owner stopped renewing it"
                : "started");
        try {
            references.check(ref, input.data()); // before the step fetches anything with the deployment's keys
            Outcome outcome = work.run(ref);
            Duration pause = pauses.get(step);
            if (pause != null) {
                log.note(ref.run(), step, "pausing " + pause + " before recording the result (fuseml.fault-pause)");
                Thread.sleep(pause.toMillis());
            }
            log.note(ref.run(), step, (outcome.handedOver() ? "handed over in " : "finished in ")
                    + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms");
            return outcome;
        } catch (StepFailure failure) {
            return failed(ref, step, failure.getMessage(), failure.logExcerpt());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(ref, step, step + " was stopped: another process took the step over", null);
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.ERROR, "step " + step + " of " + ref + " crashed", e);
            return failed(ref, step, step + " failed unexpectedly: " + e, null);
        }
    }

    private Outcome failed(RunRef ref, String step, String cause, String excerpt) {
        String tail = excerpt != null ? excerpt : log.tail(ref.run(), EXCERPT_LINES);
        log.note(ref.run(), step, "failed: " + cause);
        return new Outcome(FusemlEvents.FAILED, new Failed(step, cause, tail));
    }

    /** Stores the log and the result with the claim; false when this process no longer owns the step. */
    private boolean finish(RunRef ref, String step, Outcome outcome) {
        try {
            log.flush(ref.run());
            boolean owned = claims.complete(ref, step, owner, !FusemlEvents.FAILED.equals(outcome.type()),
                    stored(outcome.type(), outcome.data()));
            if (!owned) {
                LOG.log(System.Logger.Level.WARNING, step + " of " + ref + " was taken over by another process; "
                        + "its result here is dropped");
            }
            return owned;
        } finally {
            log.forget(ref.run());
        }
    }

    private void emit(RunRef ref, String step, Outcome outcome) {
        try {
            sink.emit(ref, source(step), outcome.type(), outcome.data());
        } catch (RuntimeException e) {
            // The result is stored with the claim: a redelivery of the step's input is answered with it.
            LOG.log(System.Logger.Level.ERROR, "could not emit " + outcome.type() + " for " + ref, e);
        }
    }

    private void renewAll() {
        for (Map.Entry<String, Working> entry : working.entrySet()) {
            Working w = entry.getValue();
            try {
                if (!claims.renew(w.ref(), w.step(), owner) && w.task() != null) {
                    LOG.log(System.Logger.Level.WARNING, "lost the lease of " + w.step() + " of " + w.ref()
                            + "; stopping this attempt");
                    w.task().cancel(true);
                }
            } catch (RuntimeException e) {
                // The control plane is unreachable: keep working, the next renewal tries again.
                LOG.log(System.Logger.Level.DEBUG, "could not renew " + entry.getKey() + ": " + e.getMessage());
            }
        }
    }

    private CloudEvent<Object> reply(RunRef ref, String step, Outcome outcome) {
        return CloudEventBuilder.create().id(UUID.randomUUID().toString()).type(outcome.type()).source(source(step))
                .subject(ref.app()).time(OffsetDateTime.now())
                .dataSchema(EventSchemas.uri(controlPlane.get(), outcome.type()).toString())
                .extensions(ref.extensions()).build(outcome.data());
    }

    /** The run of a delivery: Funqy hands over binary-mode header values as they came. */
    static RunRef runOf(CloudEvent<?> input) {
        return RunRef.ofHeaders(input.extensions());
    }

    public static String source(String step) {
        return "fuseml/" + step;
    }

    private static Claims.StoredEvent stored(String type, Object data) {
        return new Claims.StoredEvent(type, JSON.valueToTree(data));
    }

    private static String key(RunRef ref, String step) {
        return ref.run() + "/" + step;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        longSteps.shutdownNow();
    }
}
