package dev.fuseml.eventing.broker;

import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Delivery of logged events to their triggers' subscribers, as Knative's broker filter does it: an attempt over the
 * {@link Transport} (binary mode, {@code Prefer: reply}, the guard's credentials, the hop count), Knative's retries
 * by the trigger's {@link DeliverySpec}, the dead-letter sink with Knative's error extensions, a subscriber's reply
 * back into the broker ({@link Replies}), and the mark that a trigger has taken the event ({@link Marks}).
 */
final class Dispatcher implements Closeable {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final int MAX_ERROR_DATA = 1024;
    /** Threads for delivery bookkeeping (log marks, replies), off the event loop. */
    private static final int DISPATCHERS = 4;

    /** Where a subscriber's reply goes: into the broker, as an event accepted for the namespace. */
    @FunctionalInterface
    interface Replies {
        void accept(String namespace, CloudEvent reply) throws IOException;
    }

    /** Where the broker notes that a trigger has taken an event (delivered, dead-lettered or dropped). */
    @FunctionalInterface
    interface Marks {
        void delivered(long seq, String trigger);
    }

    private final Transport transport;
    private final Supplier<BrokerObserver> observer;
    private final Supplier<BrokerGuard> guard;
    private final Replies replies;
    private final Marks marks;
    private final ScheduledExecutorService retries;
    private final java.util.concurrent.ExecutorService dispatchers;
    private final Map<Long, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param retries the broker's scheduler, which retries deliveries here (and flushes the log's marks there)
     */
    Dispatcher(Transport transport, Supplier<BrokerObserver> observer, Supplier<BrokerGuard> guard, Replies replies,
            Marks marks, ScheduledExecutorService retries) {
        this.transport = transport;
        this.observer = observer;
        this.guard = guard;
        this.replies = replies;
        this.marks = marks;
        this.retries = retries;
        this.dispatchers = Executors.newFixedThreadPool(DISPATCHERS, r -> {
            Thread t = new Thread(r, "broker-dispatch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Delivers the logged event {@code seq} to each of {@code targets}. */
    void dispatch(long seq, String namespace, CloudEvent event, List<Trigger> targets) {
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
            observer.get().hopLimitReached(d.namespace(), d.event(), d.trigger());
            taken(d);
            return;
        }
        CompletableFuture<Transport.Answer> sent;
        try {
            sent = transport.send(d.trigger().subscriber(), hop, spec.timeout(), true,
                    guard.get().credentials(d.trigger(), d.trigger().subscriber()).orElse(null));
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

    private void finish(Delivery d, Transport.Answer answer, Throwable error) {
        try {
            onResult(d, answer, error);
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.ERROR, "delivery bookkeeping failed for event " + d.event().getId(), e);
        }
    }

    private void onResult(Delivery d, Transport.Answer response, Throwable error) throws IOException {
        if (closed) {
            return; // the log is closed; the delivery is redone from the log at the next start
        }
        int status = error != null ? 0 : response.status();
        DeliverySpec spec = d.trigger().delivery();
        boolean retry = !ResponseCodes.completed(status) && ResponseCodes.retriable(status)
                && d.attempt() < spec.retry();
        observer.get().attempted(d.namespace(), d.event(), d.trigger(), d.attempt() + 1, status,
                Duration.ofNanos(System.nanoTime() - d.attemptNanos()), retry);
        if (ResponseCodes.completed(status)) {
            if (status == 200) {
                Optional<CloudEvent> reply = replyOf(d, response);
                Optional<BrokerGuard.Refusal> refused = reply.flatMap(r -> guard.get().accepts(d.namespace(), r));
                if (refused.isPresent()) {
                    // A subscriber cannot do through its reply what a sender could not do at the ingress.
                    LOG.log(Level.WARNING, "reply of {0} to event {1} is dropped: {2}", d.trigger().subscriber(),
                            d.event().getId(), refused.get().message());
                } else if (reply.isPresent()) {
                    // A reply goes on with the hops its cause had left, as in Knative
                    replies.accept(d.namespace(), HopCount.inherited(reply.get(), d.event()));
                }
            }
            observer.get().delivered(d.namespace(), d.event(), d.trigger(),
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
        observer.get().deadLettered(d.namespace(), d.event(), d.trigger(), status);
        if (spec.deadLetterSink() != null) {
            deadLetter(d, status, detail, spec.deadLetterSink(), 0);
        } else {
            taken(d);
        }
    }

    private Optional<CloudEvent> replyOf(Delivery d, Transport.Answer response) {
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
        transport.send(sink, dead, spec.timeout(), false, guard.get().credentials(d.trigger(), sink).orElse(null))
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
        marks.delivered(d.seq(), d.trigger().name());
        AtomicInteger left = outstanding.get(d.seq());
        if (left != null && left.decrementAndGet() == 0) {
            outstanding.remove(d.seq());
        }
    }

    /** Deliveries not yet taken by their triggers; 0 once the broker is idle. */
    int inFlight() {
        return outstanding.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() {
        closed = true;
        dispatchers.shutdownNow();
    }
}
