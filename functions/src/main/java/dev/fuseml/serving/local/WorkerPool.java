package dev.fuseml.serving.local;

import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.Predictor;
import dev.fuseml.serving.WorkerStoppedException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workers of one model version, behind one {@link Predictor}: requests queue up, and each worker takes what has
 * queued (at most {@code maxBatch} rows; while requests arrive together it also waits up to {@code maxWait} for more,
 * while they come one by one it waits for nothing) and predicts it in one call, so
 * that under load many requests cost one round trip to Python and one {@code model.predict}. Idle, it costs nothing:
 * a request finds a worker waiting. The pool grows to {@code maxWorkers} while requests wait, shrinks back when they
 * stop, and to zero workers after {@code idleTimeout} without requests (the next request starts one and waits for
 * it). A worker that dies fails the requests it held with 503 and is replaced.
 */
public final class WorkerPool implements Predictor {
    private static final System.Logger LOG = System.getLogger(WorkerPool.class.getName());
    /** How long a request waits for an answer before it gets 503 (a cold start included). */
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);

    /** Starts a worker with the model loaded. */
    public interface Factory {
        Predictor start() throws IOException;
    }

    /**
     * @param maxWorkers  most workers at once
     * @param maxBatch    most rows predicted in one call
     * @param maxWait     longest a worker waits for more requests to join a batch it has begun
     * @param idleTimeout after this long without requests the pool stops all its workers (scale to zero)
     */
    public record Settings(int maxWorkers, int maxBatch, Duration maxWait, Duration idleTimeout) {
        public Settings {
            if (maxWorkers < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("maxWorkers and maxBatch must be at least 1");
            }
        }
    }

    private record Pending(Batch batch, CompletableFuture<List<Object>> answer) {
    }

    private final String name;
    private final Factory factory;
    private final Settings settings;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicInteger starting = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile long lastRequestNanos = System.nanoTime();
    private volatile boolean closed;

    /** A pool that starts with {@code first} (already loaded, so that a deployment knows the model loads). */
    public WorkerPool(String name, Predictor first, Factory factory, Settings settings) {
        this.name = name;
        this.factory = factory;
        this.settings = settings;
        synchronized (slots) {
            slots.add(new Slot(first));
        }
    }

    /** Workers running now (0 when scaled to zero). */
    public int workers() {
        synchronized (slots) {
            return slots.size();
        }
    }

    /** Calls made to workers so far: fewer than requests when requests were batched. */
    public int calls() {
        return calls.get();
    }

    @Override
    public List<Object> predict(Batch batch) throws Exception {
        if (closed) {
            throw new ClosedException();
        }
        lastRequestNanos = System.nanoTime();
        Pending pending = new Pending(batch, new CompletableFuture<>());
        queue.add(pending);
        scale();
        try {
            return pending.answer().get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (java.util.concurrent.TimeoutException e) {
            queue.remove(pending);
            throw new WorkerStoppedException("no prediction worker answered within " + ANSWER_TIMEOUT);
        }
    }

    /** Starts a worker when there is none, or when requests wait and the pool may grow. */
    private void scale() {
        synchronized (slots) {
            int running = slots.size();
            int wanted = running == 0 ? 1
                    : queue.size() > running && running < settings.maxWorkers() ? running + 1 : running;
            if (closed || wanted <= running + starting.get()) {
                return;
            }
            starting.incrementAndGet();
        }
        daemon("worker-start-" + name, this::startWorker).start();
    }

    private static Thread daemon(String threadName, Runnable task) {
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        return thread;
    }

    private void startWorker() {
        long began = System.nanoTime();
        try {
            Predictor worker = factory.start();
            synchronized (slots) {
                if (closed) {
                    worker.close();
                    return;
                }
                slots.add(new Slot(worker));
            }
            LOG.log(System.Logger.Level.INFO, "{0}: a prediction worker started in {1} ms ({2} running)", name,
                    (System.nanoTime() - began) / 1_000_000, workers());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, name + ": a prediction worker could not start", e);
            // whoever waits would wait for nothing: the queued requests get 503 with the cause
            for (Pending p; (p = queue.poll()) != null; ) {
                p.answer().completeExceptionally(new WorkerStoppedException("no prediction worker could start: "
                        + e.getMessage()));
            }
        } finally {
            starting.decrementAndGet();
            if (!queue.isEmpty()) {
                scale();
            }
        }
    }

    /** One worker and the thread that feeds it batches. */
    private final class Slot {
        private final Predictor worker;
        private final Thread thread;
        /** Whether the last batch had company: only then is waiting for more worth its latency (adaptive). */
        private boolean crowded;
        /** The worker was found dead while idle: the pool keeps a warm one in its place. */
        private boolean died;

        Slot(Predictor worker) {
            this.worker = worker;
            this.thread = daemon("worker-" + name, this::run);
            thread.start();
        }

        private void run() {
            try {
                while (!closed) {
                    Pending first = queue.poll(250, TimeUnit.MILLISECONDS);
                    if (!worker.alive()) {
                        // died while idle (killed, out of memory): replaced now, before a request meets it
                        LOG.log(System.Logger.Level.WARNING, name + ": an idle prediction worker stopped; "
                                + "replacing it");
                        if (first != null) {
                            queue.add(first);
                        }
                        died = true;
                        return;
                    }
                    if (first == null) {
                        if (idle()) {
                            return;
                        }
                        continue;
                    }
                    List<Pending> batch = gather(first);
                    if (!serve(batch)) {
                        return; // the worker died; its slot is gone
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                retire();
            }
        }

        /** Whether this worker should stop: idle past the timeout (all go), or one of several with nothing to do. */
        private boolean idle() {
            long idleNanos = System.nanoTime() - lastRequestNanos;
            synchronized (slots) {
                if (idleNanos > settings.idleTimeout().toNanos()) {
                    return true;
                }
                return slots.size() > 1 && idleNanos > TimeUnit.SECONDS.toNanos(10) && slots.get(0) != this;
            }
        }

        /** The first request and whatever joins it within the wait, up to the batch size, of the same columns. */
        private List<Pending> gather(Pending first) throws InterruptedException {
            List<Pending> batch = new ArrayList<>(List.of(first));
            int rows = first.batch().rows().size();
            // Alone, a request goes at once; when requests have been arriving together, wait a little for more.
            long deadline = System.nanoTime() + (crowded ? settings.maxWait().toNanos() : 0);
            while (rows < settings.maxBatch()) {
                Pending next = queue.peek();
                if (next == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (next = queue.poll(left, TimeUnit.NANOSECONDS)) == null) {
                        break;
                    }
                } else if (!queue.remove(next)) {
                    continue; // another worker took it
                }
                if (!Objects.equals(next.batch().columns(), first.batch().columns())
                        || rows + next.batch().rows().size() > settings.maxBatch()) {
                    queue.add(next); // for another batch; order across different shapes does not matter
                    break;
                }
                batch.add(next);
                rows += next.batch().rows().size();
            }
            crowded = batch.size() > 1;
            return batch;
        }

        /** Predicts the batch in one call and answers each request its rows; false when the worker died. */
        private boolean serve(List<Pending> batch) {
            List<List<Object>> rows = new ArrayList<>();
            batch.forEach(p -> rows.addAll(p.batch().rows()));
            try {
                calls.incrementAndGet();
                List<Object> predictions = worker.predict(new Batch(batch.get(0).batch().columns(), rows));
                int at = 0;
                for (Pending p : batch) {
                    int n = p.batch().rows().size();
                    p.answer().complete(List.copyOf(predictions.subList(at, at + n)));
                    at += n;
                }
                return true;
            } catch (BadRequestException e) {
                if (batch.size() == 1) {
                    batch.get(0).answer().completeExceptionally(e);
                    return true;
                }
                // one request spoils a shared batch: predict each alone so that only its own sender hears of it
                for (Pending p : batch) {
                    if (!serve(List.of(p))) {
                        return false;
                    }
                }
                return true;
            } catch (WorkerStoppedException e) {
                batch.forEach(p -> p.answer().completeExceptionally(e));
                LOG.log(System.Logger.Level.WARNING, name + ": a prediction worker stopped; replacing it");
                return false;
            } catch (Exception e) {
                batch.forEach(p -> p.answer().completeExceptionally(e));
                return true;
            }
        }

        private void retire() {
            synchronized (slots) {
                slots.remove(this);
            }
            worker.close();
            if (!closed && (!queue.isEmpty() || died)) {
                scale(); // requests still wait, or it died while the app is in use: replace it
            }
        }
    }

    /** Stops every worker once its batch in progress is answered; requests still queued go to the next version. */
    @Override
    public void close() {
        closed = true;
        List<Slot> all;
        synchronized (slots) {
            all = List.copyOf(slots);
        }
        for (Slot s : all) {
            try {
                s.thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.answer().completeExceptionally(new ClosedException());
        }
    }
}
