package dev.fuseml.serving.local;

import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.Predictor;
import dev.fuseml.serving.WorkerStoppedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The pool's batching, scaling, replacement and scale to zero, with fake workers that sum each row. */
class WorkerPoolTest {
    private final List<Fake> started = new CopyOnWriteArrayList<>();
    private WorkerPool pool;

    /** Sums each row; can be held (to let requests queue up) or made to die. */
    final class Fake implements Predictor {
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold = new CountDownLatch(0);
        volatile boolean dead;
        /** Its process is gone, found by the pool's check rather than by a request. */
        volatile boolean gone;
        volatile boolean closed;

        @Override
        public boolean alive() {
            return !gone;
        }

        @Override
        public List<Object> predict(Batch batch) throws Exception {
            hold.await(10, TimeUnit.SECONDS);
            if (dead) {
                throw new WorkerStoppedException("the prediction worker stopped (exit code 137)");
            }
            batchSizes.add(batch.rows().size());
            List<Object> out = new ArrayList<>();
            for (List<Object> row : batch.rows()) {
                if (row.stream().anyMatch(v -> !(v instanceof Number))) {
                    throw new BadRequestException("not a number in " + row);
                }
                out.add(row.stream().mapToDouble(v -> ((Number) v).doubleValue()).sum());
            }
            return out;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private Fake fake() {
        Fake f = new Fake();
        started.add(f);
        return f;
    }

    private WorkerPool pool(int maxWorkers, Duration idle) {
        pool = new WorkerPool("test", fake(), this::fake, new WorkerPool.Settings(maxWorkers, 64,
                Duration.ofMillis(5), idle));
        return pool;
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    private static Batch row(double... values) {
        List<Object> row = new ArrayList<>();
        for (double v : values) {
            row.add(v);
        }
        return new Batch(null, List.of(row));
    }

    /** The threads of the requests sent with {@link #async}, to see when they wait for their answers. */
    private final List<Thread> callers = new CopyOnWriteArrayList<>();

    private CompletableFuture<Object> async(Batch batch) {
        return CompletableFuture.supplyAsync(() -> {
            callers.add(Thread.currentThread());
            try {
                return pool.predict(batch).get(0);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    /**
     * Until {@code n} requests sent with {@link #async} wait for their answers (TIMED_WAITING, which a request does
     * only once it is in the pool's queue): that their futures are not done says nothing, a thread started need not
     * have queued its request yet, and one that queues after the held batch ends goes in a batch of its own.
     */
    private void awaitQueued(int n) {
        await().atMost(Duration.ofSeconds(5)).until(() -> callers.size() == n
                && callers.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
    }

    @Test
    void requestsThatArriveTogetherArePredictedInOneCallAndEachGetsItsOwnRows() throws Exception {
        pool(1, Duration.ofMinutes(1));
        Fake first = started.get(0);
        first.hold = new CountDownLatch(1);
        CompletableFuture<Object> opening = async(row(1, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.calls() == 1);
        List<CompletableFuture<Object>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(async(row(i, 100)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting.stream().noneMatch(CompletableFuture::isDone)
                && pool.calls() == 1);
        awaitQueued(21); // the opening request and the twenty behind it
        first.hold.countDown();
        assertThat(opening.get(5, TimeUnit.SECONDS)).isEqualTo(2.0);
        for (int i = 0; i < 20; i++) {
            assertThat(waiting.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(100.0 + i);
        }
        assertThat(pool.calls()).as("21 requests, batched").isLessThan(21);
        assertThat(first.batchSizes).anyMatch(n -> n > 1);
    }

    @Test
    void aBadRequestInASharedBatchFailsOnlyItself() throws Exception {
        pool(1, Duration.ofMinutes(1));
        Fake first = started.get(0);
        first.hold = new CountDownLatch(1);
        CompletableFuture<Object> opening = async(row(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.calls() == 1);
        CompletableFuture<Object> good = async(row(2));
        CompletableFuture<Object> bad = async(new Batch(null, List.of(List.of("sweet"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> !good.isDone() && !bad.isDone());
        awaitQueued(3); // the opening request, and the good and the bad one queued behind it to share a batch
        first.hold.countDown();
        assertThat(opening.get(5, TimeUnit.SECONDS)).isEqualTo(1.0);
        assertThat(good.get(5, TimeUnit.SECONDS)).isEqualTo(2.0);
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(BadRequestException.class);
    }

    @Test
    void aWorkerThatDiesFailsItsRequestsWith503AndIsReplacedForTheNextOnes() throws Exception {
        pool(1, Duration.ofMinutes(1));
        Fake first = started.get(0);
        first.dead = true;
        assertThatThrownBy(() -> pool.predict(row(1, 2))).isInstanceOf(WorkerStoppedException.class)
                .hasMessageContaining("stopped");
        assertThat(pool.predict(row(3, 4)).get(0)).isEqualTo(7.0);
        assertThat(started).hasSize(2);
        // the dead worker's slot leaves the pool before its worker is closed (WorkerPool.Slot.retire): the
        // replacement may already have answered
        await().atMost(Duration.ofSeconds(5)).until(() -> first.closed);
        assertThat(first.closed).isTrue();
    }

    @Test
    void aWorkerThatDiesWhileIdleIsReplacedBeforeARequestMeetsIt() throws Exception {
        pool(1, Duration.ofMinutes(1));
        Fake first = started.get(0);
        first.gone = true;

        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2 && pool.workers() == 1
                && first.closed);
        assertThat(pool.predict(row(3, 4)).get(0)).isEqualTo(7.0);
        assertThat(first.batchSizes).as("the dead worker took no request").isEmpty();
        assertThat(started.get(1).batchSizes).containsExactly(1);
    }

    @Test
    void thePoolGrowsWhileRequestsWaitUpToItsLimit() throws Exception {
        pool(2, Duration.ofMinutes(1));
        started.get(0).hold = new CountDownLatch(1);
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(async(row(i)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.workers() == 2);
        started.get(0).hold.countDown();
        for (int i = 0; i < 10; i++) {
            assertThat(all.get(i).get(5, TimeUnit.SECONDS)).isEqualTo((double) i);
        }
        assertThat(started).hasSize(2);
    }

    @Test
    void anIdlePoolScalesToZeroAndItsNextRequestStartsAWorkerAndIsAnswered() throws Exception {
        pool(2, Duration.ofMillis(300));
        assertThat(pool.predict(row(1)).get(0)).isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.workers() == 0);
        // a retiring slot leaves the pool before it closes its worker (WorkerPool.Slot.retire)
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get(0).closed);
        assertThat(started.get(0).closed).isTrue();
        assertThat(pool.predict(row(2, 3)).get(0)).isEqualTo(5.0);
        assertThat(started).hasSize(2);
    }

    @Test
    void aClosedPoolSendsRequestsToTheNextVersion() {
        pool(1, Duration.ofMinutes(1));
        pool.close();
        assertThatThrownBy(() -> pool.predict(row(1))).isInstanceOf(Predictor.ClosedException.class);
        assertThat(started.get(0).closed).isTrue();
    }

    @Test
    void aWorkerThatCannotStartAnswersTheWaitingRequestsWith503() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        pool = new WorkerPool("test", fake(), () -> {
            attempts.incrementAndGet();
            throw new java.io.IOException("the environment is gone");
        }, new WorkerPool.Settings(1, 64, Duration.ofMillis(5), Duration.ofMillis(200)));
        assertThat(pool.predict(row(1)).get(0)).isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.workers() == 0);
        assertThatThrownBy(() -> pool.predict(row(1))).isInstanceOf(WorkerStoppedException.class)
                .hasMessageContaining("the environment is gone");
        assertThat(attempts.get()).isEqualTo(1);
    }
}
