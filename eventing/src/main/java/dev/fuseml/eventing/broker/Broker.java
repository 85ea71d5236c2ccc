package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An embedded Knative Broker: events accepted for a namespace's broker {@code default} are written to the
 * {@link EventLog} (one writer thread, group commit), matched against the {@link Trigger}s, and handed to the
 * {@link Dispatcher}, which delivers them over the {@link Transport} with retries and a dead-letter sink as each
 * trigger's {@link DeliverySpec} says. A subscriber's reply (200 with an event) re-enters the broker. Delivery is
 * at-least-once: an event leaves the log only when every trigger has taken it.
 */
public final class Broker implements Closeable {
    public static final String DEFAULT_BROKER = "default";
    private static final System.Logger LOG = System.getLogger(Broker.class.getName());

    private final EventLog log;
    private final Transport transport;
    private final Dispatcher dispatcher;
    private final ScheduledExecutorService retries;
    private volatile List<Trigger> triggers = List.of();
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.BlockingQueue<Incoming> incoming = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    private volatile BrokerObserver observer = BrokerObserver.NONE;
    private volatile BrokerGuard guard = BrokerGuard.OPEN;

    /** A broker whose log is {@code dataDir/events.log}, delivering over HTTP with Vert.x. */
    public Broker(Path dataDir) throws IOException {
        this(new EventLog(dataDir.resolve("events.log")), new VertxTransport());
    }

    /**
     * @param log       where accepted events and delivery marks are kept (the broker closes it)
     * @param transport how deliveries are sent (the broker closes it)
     */
    Broker(EventLog log, Transport transport) {
        this.log = log;
        this.transport = transport;
        this.retries = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "broker-retry");
            t.setDaemon(true);
            return t;
        });
        this.dispatcher = new Dispatcher(transport, () -> observer, () -> guard, this::accept, log::markDelivered,
                retries);
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
        return transport.vertx().orElseThrow(() -> new IllegalStateException("the ingress shares the broker's "
                + "Vert.x: give the broker a VertxTransport"));
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
            dispatcher.dispatch(r.seq(), r.namespace(), r.event(), missing(r.namespace(), r.event(), r.delivered()));
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
                    dispatcher.dispatch(seqs[i], in.entry().namespace(), in.entry().event(), matched);
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

    /**
     * Why no event can be accepted until the broker is made again: it was closed, or its log writer thread ended.
     * Empty while it accepts.
     */
    public java.util.Optional<String> writerTrouble() {
        if (closed) {
            return java.util.Optional.of("the broker is closed (the process is stopping)");
        }
        if (!writer.isAlive()) {
            return java.util.Optional.of("the event log's writer thread ended: restart the orchestrator");
        }
        return java.util.Optional.empty();
    }

    /** Deliveries not yet taken by their triggers; 0 once the broker is idle. */
    public int inFlight() {
        return dispatcher.inFlight();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        writer.interrupt();
        retries.shutdownNow();
        dispatcher.close();
        transport.close();
        log.close();
    }
}
