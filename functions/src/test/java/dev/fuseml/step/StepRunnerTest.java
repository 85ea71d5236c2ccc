package dev.fuseml.step;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Served;
import dev.fuseml.mock.FakeClaims;
import dev.fuseml.mock.FakeEventSink;
import dev.fuseml.mock.FakeStepLog;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The step guard: each (run, step) is worked on once, across deliveries, replicas and dead owners. */
class StepRunnerTest {
    private static final RunRef RUN = new RunRef("workspace", "wine", "wine-1");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private final FakeClaims claims = new FakeClaims(LEASE);
    private final FakeStepLog log = new FakeStepLog();
    private final FakeEventSink sink = new FakeEventSink();
    private final StepRunner replicaA = runner("replica-a");
    private final StepRunner replicaB = runner("replica-b");
    private final AtomicInteger worked = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    private StepRunner runner(String owner) {
        return new StepRunner(claims, log, sink, () -> "http://127.0.0.1:8080", LEASE, owner, java.util.Map.of(), LEASE,
                dev.fuseml.step.ReferenceGuard.NONE);
    }

    @AfterEach
    void close() {
        release.countDown();
        replicaA.close();
        replicaB.close();
    }

    private static CloudEvent<Map<String, String>> input() {
        return CloudEventBuilder.create().id("e1").type(FusemlEvents.REGISTERED).source("test")
                .extensions(RUN.extensions()).build(Map.of("version", "1"));
    }

    private StepRunner.Outcome served(RunRef ref) {
        worked.incrementAndGet();
        return new StepRunner.Outcome(FusemlEvents.SERVED, new Served(1, "http://127.0.0.1:9/v2/models/wine/infer"));
    }

    private StepRunner.Outcome blockedThenServed(RunRef ref) throws InterruptedException {
        worked.incrementAndGet();
        release.await(10, TimeUnit.SECONDS);
        return new StepRunner.Outcome(FusemlEvents.SERVED, new Served(1, "http://127.0.0.1:9/v2/models/wine/infer"));
    }

    @Test
    void aShortStepRepliesWithItsResultAndARedeliveryGetsTheSameResultWithoutWorking() {
        CloudEvent<Object> first = replicaA.sync("register", input(), this::served);
        assertThat(first.type()).isEqualTo(FusemlEvents.SERVED);
        assertThat(first.extensions()).containsEntry(FusemlEvents.EXT_RUN, "wine-1");
        assertThat(first.dataSchema()).isEqualTo("http://127.0.0.1:8080/schemas/dev.fuseml.served.json");
        CloudEvent<Object> again = replicaB.sync("register", input(), this::served);
        assertThat(again.type()).isEqualTo(FusemlEvents.SERVED);
        assertThat(worked).hasValue(1);
    }

    @Test
    void aShortStepDeliveredAgainWhileItWorksIsAnsweredWithTheResultOfTheWorkUnderWay() throws Exception {
        // the broker stopped waiting for the first delivery and tried again, at the same replica and at another
        var first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> replicaA.sync("register", input(), this::blockedThenServed));
        await().atMost(Duration.ofSeconds(5)).until(() -> worked.get() == 1);
        java.util.List<Thread> redeliveries = new java.util.concurrent.CopyOnWriteArrayList<>();
        var sameReplica = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            redeliveries.add(Thread.currentThread());
            return replicaA.sync("register", input(), this::blockedThenServed);
        });
        var otherReplica = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            redeliveries.add(Thread.currentThread());
            return replicaB.sync("register", input(), this::blockedThenServed);
        });
        // The work ends only once both redeliveries wait (TIMED_WAITING: the same replica for the work under way,
        // the other between its claims): released at once, they could come after it, be answered from the stored
        // result, and the test would pass without seeing a delivery meet the work under way.
        await().atMost(Duration.ofSeconds(5)).until(() -> redeliveries.size() == 2 && redeliveries.stream()
                .allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
        release.countDown();
        for (var answer : java.util.List.of(first, sameReplica, otherReplica)) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).as("a reply, not an empty acknowledgement")
                    .isNotNull().extracting(CloudEvent::type).isEqualTo(FusemlEvents.SERVED);
        }
        assertThat(worked).hasValue(1);
    }

    @Test
    void aLongStepEmitsItsResultOnceAndARedeliveryIsAnsweredWithTheStoredResult() {
        replicaA.async("serve", input(), this::served);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.emitted.size() == 1);
        // The first attempt emits before it lets go of the (run, step) (the finally of StepRunner.async): a
        // redelivery in between is taken for one of the work under way and dropped, harmless since the result is
        // out. Deliver again until the runner takes a delivery (it then claims), which the stored result answers.
        int claimed = claims.claims;
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            replicaA.async("serve", input(), this::served);
            return claims.claims > claimed;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.emitted.size() == 2);
        assertThat(worked).hasValue(1);
        assertThat(sink.emitted).allSatisfy(e -> assertThat(e.type()).isEqualTo(FusemlEvents.SERVED));
    }

    @Test
    void aDeliveryToAnotherReplicaWhileTheLeaseIsLiveDoesNoWork() {
        replicaA.async("serve", input(), this::blockedThenServed);
        await().atMost(Duration.ofSeconds(5)).until(() -> worked.get() == 1);
        replicaB.async("serve", input(), this::blockedThenServed);
        replicaA.async("serve", input(), this::blockedThenServed); // and to the same replica again
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.emitted.size() == 1);
        assertThat(worked).hasValue(1);
    }

    @Test
    void aStepWhoseOwnerStoppedRenewingIsDoneAgainByTheNextDelivery() {
        claims.claim(RUN, "serve", "dead-owner", new Claims.StoredEvent("x", null));
        replicaB.async("serve", input(), this::served);
        assertThat(sink.emitted).isEmpty();
        assertThat(worked).hasValue(0);

        claims.advance(LEASE.plusSeconds(1));
        replicaB.async("serve", input(), this::served);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.emitted.size() == 1);
        assertThat(worked).hasValue(1);
        assertThat(log.text("wine-1")).contains("[serve] started again (attempt 2)");
    }

    @Test
    void aFailureEmitsFailedWithTheCauseAndTheLogTail() {
        replicaA.async("train", input(), ref -> {
            log.append(ref.run(), "Traceback (most recent call last):");
            throw new StepFailure("the training process exited with code 1: ValueError: no data");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.emitted.size() == 1);
        var failed = sink.emitted.get(0);
        assertThat(failed.type()).isEqualTo(FusemlEvents.FAILED);
        assertThat(failed.data().path("step").asText()).isEqualTo("train");
        assertThat(failed.data().path("cause").asText()).contains("ValueError: no data");
        assertThat(failed.data().path("logExcerpt").asText()).contains("Traceback");
        // a redelivery of a failed step's input is dropped: the run has ended
        replicaA.async("train", input(), this::served);
        assertThat(worked).hasValue(0);
    }

    @Test
    void aDeliveryForARunThatEndedIsDropped() {
        claims.endRun("wine-1");
        assertThat(replicaA.sync("register", input(), this::served)).isNull();
        replicaA.async("serve", input(), this::served);
        assertThat(worked).hasValue(0);
        assertThat(sink.emitted).isEmpty();
    }

    @Test
    void anOwnerThatLostItsLeaseStopsAndItsResultIsNotEmitted() {
        StepRunner fastRenewals = new StepRunner(claims, log, sink, () -> "http://127.0.0.1:8080",
                Duration.ofMillis(300), "replica-c", java.util.Map.of(), LEASE, ReferenceGuard.NONE);
        try {
            fastRenewals.async("train", input(), this::blockedThenServed);
            await().atMost(Duration.ofSeconds(5)).until(() -> worked.get() == 1);
            claims.takeOver(RUN, "train", "replica-d");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.text("wine-1").contains("was stopped"));
            release.countDown();
            assertThat(sink.emitted).isEmpty();
        } finally {
            fastRenewals.close();
        }
    }

    @Test
    void runExtensionsAreReadAsTheHttpBindingSaysPercentEncodedOrNot() {
        CloudEvent<Object> encoded = CloudEventBuilder.create().id("x").type(FusemlEvents.PUSH).source("t")
                .extensions(Map.of("fusemlorg", "workspace", "fusemlapp", "%77ine", "fusemlrun", "wine-1",
                        "note", "caf\u00c3\u00a9 100%")).build(null);
        assertThat(StepRunner.runOf(encoded)).isEqualTo(RUN);
    }

    @Test
    void runExtensionsAreFoundWhateverTheCaseOfTheHeadersThatCarriedThem() {
        // Go's and Python's HTTP clients send Ce-Fusemlorg; header names are case-insensitive
        CloudEvent<Object> capitalised = CloudEventBuilder.create().id("x").type(FusemlEvents.PUSH).source("t")
                .extensions(Map.of("Fusemlorg", "workspace", "FUSEMLAPP", "wine", "fusemlRun", "wine-1")).build(null);
        assertThat(StepRunner.runOf(capitalised)).isEqualTo(RUN);
    }

    @Test
    void anEventWithoutTheRunExtensionsIsRefusedWithTheirNames() {
        CloudEvent<Object> bare = CloudEventBuilder.create().id("x").type(FusemlEvents.PUSH).source("t").build(null);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> replicaA.sync("receive", bare, this::served), "fusemlorg");
    }
}
