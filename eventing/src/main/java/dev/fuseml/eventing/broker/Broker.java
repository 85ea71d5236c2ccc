package dev.fuseml.eventing.broker;

import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embedded Knative Broker: events accepted for a namespace's broker {@code default} are written to the
 * {@link EventLog}, then delivered over HTTP in binary mode to every matching {@link Trigger}'s subscriber, with
 * retries and a dead-letter sink as the trigger's {@link DeliverySpec} says. A subscriber's reply (200 with an event)
 * re-enters the broker. Delivery is at-least-once: an event leaves the log only when every trigger has taken it.
 */
public final class Broker implements Closeable {
    public static final String DEFAULT_BROKER = "default";
    private static final System.Logger LOG = System.getLogger(Broker.class.getName());
    private static final int MAX_ERROR_DATA = 1024;
    /** Threads for delivery bookkeeping (log marks, replies), off the event loop. */
    private static final int DISPATCHERS = 4;

    private final EventLog log;
    private final VertxTransport transport;
    private final ScheduledExecutorService retries;
    private final java.util.concurrent.ExecutorService dispatchers;
    private volatile List<Trigger> triggers = List.of();
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final Map<Long, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final java.util.concurrent.BlockingQueue<Incoming> incoming = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    private volatile BrokerObserver observer = BrokerObserver.NONE;
    private volatile BrokerGuard guard = BrokerGuard.OPEN;

    public Broker(Path dataDir) throws IOException {
        this.log = new EventLog(dataDir.resolve("events.log"));
        this.transport = new VertxTransport();
        this.dispatchers = Executors.newFixedThreadPool(DISPATCHERS, r -> {
            Thread t = new Thread(r, "broker-dispatch");
            t.setDaemon(true);
            return t;
        });
        this.retries = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "broker-retry");
            t.setDaemon(true);
            return t;
        });
        flushMarksPeriodically();
        this.writer = new Thread(this::writeLoop, "broker-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Delivery marks also reach the file when no event comes to carry them. */
    private void flushMarksPeriodically() {
        retries.scheduleWithFixedDelay(() -> {
            try {
                log.flushMarks();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot write delivery marks: " + e.getMessage());
            }
        }, 50, 50, TimeUnit.MILLISECONDS);
    }

    /** The Vert.x instance the broker's HTTP runs on; its ingress listens on it too. */
    io.vertx.core.Vertx vertx() {
        return transport.vertx();
    }

    public void observe(BrokerObserver observer) {
        this.observer = observer;
    }

    /** Who may send what, and the credentials deliveries carry (default: {@link BrokerGuard#OPEN}). */
    public void guard(BrokerGuard guard) {
        this.guard = guard;
    }

    public BrokerGuard guard() {
        return guard;
    }

    /** Creates broker {@code default} in {@code namespace}; events for other namespaces are refused. */
    public void addNamespace(String namespace) {
        namespaces.add(namespace);
    }

    public void removeNamespace(String namespace) {
        namespaces.remove(namespace);
    }

    public boolean hasBroker(String namespace, String broker) {
        return DEFAULT_BROKER.equals(broker) && namespaces.contains(namespace);
    }

    /** Replaces the triggers at once: an event is matched against the old set or the new one, never a mix. */
    public void setTriggers(Collection<Trigger> definitions) {
        triggers = List.copyOf(definitions);
    }

    public List<Trigger> triggers() {
        return triggers;
    }

    /**
     * Redelivers what the log holds that some trigger has not taken yet (after a crash or a restart), and compacts
     * the log down to that. Call once triggers are set and subscribers can answer.
     */
    public void start() throws IOException {
        List<EventLog.Recovered> pending = new ArrayList<>();
        for (EventLog.Recovered r : log.recover()) {
            if (!missing(r.namespace(), r.event(), r.delivered()).isEmpty()) {
                pending.add(r);
            }
        }
        log.compact(pending);
        for (EventLog.Recovered r : pending) {
            LOG.log(Level.INFO, "redelivering event {0} ({1}) after restart", r.event().getId(), r.event().getType());
            dispatch(r.seq(), r.namespace(), r.event(), missing(r.namespace(), r.event(), r.delivered()));
        }
    }

    /**
     * Accepts an event for broker {@code default} of {@code namespace}: when this returns, the event is on disk and
     * will be delivered to every matching trigger.
     */
    public void accept(String namespace, CloudEvent event) throws IOException {
        try {
            acceptAsync(namespace, event).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the event was being logged", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * Accepts an event without holding the caller: the future completes once the event is on disk. One writer
     * thread logs whatever has queued up meanwhile with a single write and fsync (group commit).
     */
    public CompletableFuture<Void> acceptAsync(String namespace, CloudEvent event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IOException("broker is shutting down"));
            return done;
        }
        incoming.add(new Incoming(new EventLog.Entry(namespace, HopCount.stamped(event)), done));
        return done;
    }

    private record Incoming(EventLog.Entry entry, CompletableFuture<Void> done) {
    }

    private void writeLoop() {
        List<Incoming> batch = new ArrayList<>();
        while (!closed) {
            try {
                batch.add(incoming.take());
            } catch (InterruptedException e) {
                return;
            }
            incoming.drainTo(batch, 4096);
            try {
                log.flushMarks();
                long[] seqs = log.appendAll(batch.stream().map(Incoming::entry).toList());
                for (int i = 0; i < batch.size(); i++) {
                    Incoming in = batch.get(i);
                    List<Trigger> matched = missing(in.entry().namespace(), in.entry().event(), Set.of());
                    observer.accepted(in.entry().namespace(), in.entry().event(),
                            matched.stream().map(Trigger::name).toList());
                    dispatch(seqs[i], in.entry().namespace(), in.entry().event(), matched);
                    in.done().complete(null);
                }
            } catch (Throwable e) {
                // A record that cannot be written fails its own requests; the writer lives on for the next ones.
                LOG.log(Level.ERROR, "could not log " + batch.size() + " event(s): " + e);
                batch.forEach(in -> in.done().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    private List<Trigger> missing(String namespace, CloudEvent event, Set<String> delivered) {
        List<Trigger> result = new ArrayList<>();
        for (Trigger t : triggers) {
            if (t.appliesTo(namespace) && t.matches(event) && !delivered.contains(t.name())) {
                result.add(t);
            }
        }
        return result;
    }

    private void dispatch(long seq, String namespace, CloudEvent event, List<Trigger> targets) {
        if (targets.isEmpty()) {
            return;
        }
        outstanding.put(seq, new AtomicInteger(targets.size()));
        long now = System.nanoTime();
        for (Trigger trigger : targets) {
            attempt(new Delivery(seq, namespace, event, trigger, 0, now, now));
        }
    }

    private record Delivery(long seq, String namespace, CloudEvent event, Trigger trigger, int attempt,
            long acceptedNanos, long attemptNanos) {
        Delivery next() {
            return new Delivery(seq, namespace, event, trigger, attempt + 1, acceptedNanos, System.nanoTime());
        }
    }

    private void attempt(Delivery d) {
        if (closed) {
            return;
        }
        DeliverySpec spec = d.trigger().delivery();
        Delivery started = new Delivery(d.seq(), d.namespace(), d.event(), d.trigger(), d.attempt(),
                d.acceptedNanos(), System.nanoTime());
        CloudEvent hop = HopCount.next(d.event()).orElse(null);
        if (hop == null) {
            LOG.log(Level.WARNING, "event {0} ({1}) is not delivered to {2}: its hop count (knativebrokerttl) ran out; "
                    + "a trigger sends events back into the broker in a loop", d.event().getId(), d.event().getType(),
                    d.trigger().name());
            observer.hopLimitReached(d.namespace(), d.event(), d.trigger());
            taken(d);
            return;
        }
        CompletableFuture<VertxTransport.Answer> sent;
        try {
            sent = transport.send(d.trigger().subscriber(), hop, spec.timeout(), true,
                    guard.credentials(d.trigger(), d.trigger().subscriber()).orElse(null));
        } catch (RuntimeException unsendable) {
            // No retry can help an event that cannot be put on the wire: straight to the dead-letter sink.
            LOG.log(Level.ERROR, "event " + d.event().getId() + " cannot be sent: " + unsendable.getMessage());
            sent = CompletableFuture.failedFuture(unsendable);
            started = new Delivery(d.seq(), d.namespace(), d.event(), d.trigger(), spec.retry(), d.acceptedNanos(),
                    started.attemptNanos());
        }
        Delivery attempted = started;
        sent.whenComplete((answer, error) -> {
            // A plain acknowledgement is booked where it arrives (a buffered mark); a reply, which must reach the
            // disk, and failures, which may retry or dead-letter, leave the event loop.
            if (error == null && answer.status() / 100 == 2 && answer.status() != 200) {
                finish(attempted, answer, null);
            } else {
                dispatchers.execute(() -> finish(attempted, answer, error));
            }
        });
    }

    private void finish(Delivery d, VertxTransport.Answer answer, Throwable error) {
        try {
            onResult(d, answer, error);
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.ERROR, "delivery bookkeeping failed for event " + d.event().getId(), e);
        }
    }

    private void onResult(Delivery d, VertxTransport.Answer response, Throwable error) throws IOException {
        if (closed) {
            return; // the log is closed; the delivery is redone from the log at the next start
        }
        int status = error != null ? 0 : response.status();
        DeliverySpec spec = d.trigger().delivery();
        boolean retry = !ResponseCodes.completed(status) && ResponseCodes.retriable(status)
                && d.attempt() < spec.retry();
        observer.attempted(d.namespace(), d.event(), d.trigger(), d.attempt() + 1, status,
                Duration.ofNanos(System.nanoTime() - d.attemptNanos()), retry);
        if (ResponseCodes.completed(status)) {
            if (status == 200) {
                Optional<CloudEvent> reply = replyOf(d, response);
                Optional<BrokerGuard.Refusal> refused = reply.flatMap(r -> guard.accepts(d.namespace(), r));
                if (refused.isPresent()) {
                    // A subscriber cannot do through its reply what a sender could not do at the ingress.
                    LOG.log(Level.WARNING, "reply of {0} to event {1} is dropped: {2}", d.trigger().subscriber(),
                            d.event().getId(), refused.get().message());
                } else if (reply.isPresent()) {
                    // A reply goes on with the hops its cause had left, as in Knative
                    accept(d.namespace(), HopCount.inherited(reply.get(), d.event()));
                }
            }
            observer.delivered(d.namespace(), d.event(), d.trigger(),
                    Duration.ofNanos(System.nanoTime() - d.acceptedNanos()));
            taken(d);
            return;
        }
        String detail = error != null ? String.valueOf(error.getMessage())
                : new String(response.body(), StandardCharsets.UTF_8);
        if (retry) {
            Duration delay = spec.delayBeforeRetry(d.attempt() + 1);
            LOG.log(Level.DEBUG, "retrying event {0} to {1} in {2} (status {3})", d.event().getId(),
                    d.trigger().subscriber(), delay, status);
            retries.schedule(() -> attempt(d.next()), delay.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        LOG.log(Level.WARNING, "giving up on event {0} ({1}) to {2} after {3} attempt(s): status {4} {5}",
                d.event().getId(), d.event().getType(), d.trigger().subscriber(), d.attempt() + 1, status, detail);
        observer.deadLettered(d.namespace(), d.event(), d.trigger(), status);
        if (spec.deadLetterSink() != null) {
            deadLetter(d, status, detail, spec.deadLetterSink(), 0);
        } else {
            taken(d);
        }
    }

    private Optional<CloudEvent> replyOf(Delivery d, VertxTransport.Answer response) {
        try {
            return CloudEventHttp.replyOf(response.headers(), response.body());
        } catch (CloudEventHttp.InvalidEventException e) {
            LOG.log(Level.WARNING, "subscriber {0} answered event {1} with an invalid reply: {2}",
                    d.trigger().subscriber(), d.event().getId(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Sends the event with Knative's error extensions to the dead-letter sink, retried like a delivery. */
    private void deadLetter(Delivery d, int status, String detail, URI sink, int attempt) {
        String data = detail.length() > MAX_ERROR_DATA ? detail.substring(0, MAX_ERROR_DATA) : detail;
        CloudEvent dead = CloudEventBuilder.v1(d.event())
                .withExtension("knativeerrorcode", Integer.toString(status))
                .withExtension("knativeerrordest", d.trigger().subscriber().toString())
                .withExtension("knativeerrordata",
                        Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8)))
                .build();
        DeliverySpec spec = d.trigger().delivery();
        transport.send(sink, dead, spec.timeout(), false, guard.credentials(d.trigger(), sink).orElse(null))
                .whenCompleteAsync((response, error) -> {
            int code = error != null ? 0 : response.status();
            if (!ResponseCodes.completed(code) && ResponseCodes.retriable(code) && attempt < spec.retry() && !closed) {
                retries.schedule(() -> deadLetter(d, status, detail, sink, attempt + 1),
                        spec.delayBeforeRetry(attempt + 1).toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            if (!ResponseCodes.completed(code)) {
                LOG.log(Level.ERROR, "dead-letter sink {0} refused event {1}: status {2}", sink,
                        d.event().getId(), code);
            }
            taken(d);
        }, dispatchers);
    }

    private void taken(Delivery d) {
        log.markDelivered(d.seq(), d.trigger().name());
        AtomicInteger left = outstanding.get(d.seq());
        if (left != null && left.decrementAndGet() == 0) {
            outstanding.remove(d.seq());
        }
    }

    /** Deliveries not yet taken by their triggers; 0 once the broker is idle. */
    public int inFlight() {
        return outstanding.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        writer.interrupt();
        retries.shutdownNow();
        dispatchers.shutdownNow();
        transport.close();
        log.close();
    }
}
