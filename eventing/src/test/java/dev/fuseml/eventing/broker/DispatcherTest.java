package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dispatcher alone, with a fake transport: Knative's delivery rules, replies and dead letters. */
class DispatcherTest {
    private static final URI SUBSCRIBER = URI.create("http://subscriber.test/");
    private static final URI SINK = URI.create("http://dead.test/");

    private final FakeTransport transport = new FakeTransport();
    private final List<String> marks = new CopyOnWriteArrayList<>();
    private final List<CloudEvent> replies = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    private final Dispatcher dispatcher = new Dispatcher(transport, () -> BrokerObserver.NONE,
            () -> BrokerGuard.OPEN, (namespace, reply) -> replies.add(reply),
            (seq, trigger) -> marks.add(seq + " " + trigger), retries);

    @AfterEach
    void close() {
        dispatcher.close();
        retries.shutdownNow();
    }

    private static CloudEvent event() {
        return HopCount.stamped(CloudEventBuilder.v1().withId("e1").withSource(URI.create("test"))
                .withType("a").build());
    }

    private static Trigger trigger(int retry, URI sink) {
        return Trigger.onAttributes("t", "team", Map.of("type", "a"), SUBSCRIBER, new DeliverySpec(retry,
                BackoffPolicy.LINEAR, Duration.ofMillis(1), Duration.ofSeconds(5), sink));
    }

    /** Answers the statuses in turn, the last one for ever. */
    private void answers(int... statuses) {
        List<Integer> left = new ArrayList<>();
        for (int s : statuses) {
            left.add(s);
        }
        transport.answer = s -> {
            if (s.target().equals(SINK)) {
                return CompletableFuture.completedFuture(FakeTransport.status(202));
            }
            int status;
            synchronized (left) {
                status = left.size() > 1 ? left.remove(0) : left.get(0);
            }
            return status == 0 ? CompletableFuture.failedFuture(new java.io.IOException("connection refused"))
                    : CompletableFuture.completedFuture(FakeTransport.status(status));
        };
    }

    private long sentTo(URI target) {
        return transport.sent.stream().filter(s -> s.target().equals(target)).count();
    }

    static Stream<Arguments> deliveries() {
        return Stream.of(
                Arguments.of(Named.of("an accepted event is taken at once", new int[]{202}), 3, 1, 0),
                Arguments.of(Named.of("a 503 is retried until accepted", new int[]{503, 503, 202}), 3, 3, 0),
                Arguments.of(Named.of("404, 408, 409 and 429 are retried as Knative does",
                        new int[]{404, 408, 409, 429, 202}), 5, 5, 0),
                Arguments.of(Named.of("a transport error is retried", new int[]{0, 202}), 3, 2, 0),
                Arguments.of(Named.of("a 400 is not retried and goes to the dead-letter sink", new int[]{400}), 3, 1,
                        1),
                Arguments.of(Named.of("retries that run out go to the dead-letter sink", new int[]{500}), 2, 3, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deliveries")
    void aDeliveryFollowsTheTriggersDeliverySpec(int[] statuses, int retry, int attempts, int deadLetters) {
        answers(statuses);
        dispatcher.dispatch(7, "team", event(), List.of(trigger(retry, SINK)));
        await().until(() -> marks.contains("7 t"));
        assertThat(sentTo(SUBSCRIBER)).isEqualTo(attempts);
        assertThat(sentTo(SINK)).isEqualTo(deadLetters);
        assertThat(dispatcher.inFlight()).isZero();
    }

    @Test
    void aDeadLetterCarriesKnativesErrorExtensions() {
        transport.answer = s -> CompletableFuture.completedFuture(s.target().equals(SINK) ? FakeTransport.status(202)
                : new Transport.Answer(422, Map.of(), "no such field".getBytes(StandardCharsets.UTF_8)));
        dispatcher.dispatch(1, "team", event(), List.of(trigger(0, SINK)));
        await().until(() -> marks.contains("1 t"));
        CloudEvent dead = transport.sent.stream().filter(s -> s.target().equals(SINK)).findFirst().orElseThrow()
                .event();
        assertThat(dead.getExtension("knativeerrorcode")).isEqualTo("422");
        assertThat(dead.getExtension("knativeerrordest")).isEqualTo(SUBSCRIBER.toString());
        assertThat(new String(Base64.getDecoder().decode((String) dead.getExtension("knativeerrordata")),
                StandardCharsets.UTF_8)).isEqualTo("no such field");
    }

    @Test
    void aReplyReentersTheBrokerAndAPlainAcknowledgementDoesNot() {
        transport.answer = s -> CompletableFuture.completedFuture(new Transport.Answer(200, Map.of("ce-specversion",
                List.of("1.0"), "ce-id", List.of("r1"), "ce-source", List.of("sub"), "ce-type", List.of("b")),
                new byte[0]));
        dispatcher.dispatch(1, "team", event(), List.of(trigger(0, null)));
        await().until(() -> marks.contains("1 t"));
        assertThat(replies).singleElement().satisfies(r -> assertThat(r.getType()).isEqualTo("b"));
        assertThat(transport.sent.get(0).preferReply()).isTrue();
    }

    @Test
    void deliveriesCarryTheGuardsCredentialsForTheirSubscriber() {
        Dispatcher guarded = new Dispatcher(transport, () -> BrokerObserver.NONE, () -> new BrokerGuard() {
            @Override
            public Optional<String> credentials(Trigger trigger, URI target) {
                return Optional.of("Bearer for-" + target.getHost());
            }
        }, (n, r) -> { }, (seq, t) -> marks.add(seq + " " + t), retries);
        guarded.dispatch(3, "team", event(), List.of(trigger(0, null)));
        await().until(() -> marks.contains("3 t"));
        assertThat(transport.sent.get(0).authorization()).isEqualTo("Bearer for-subscriber.test");
        guarded.close();
    }

    @Test
    void anEventWhoseHopsRanOutIsNotSentAndIsTaken() {
        CloudEvent looping = CloudEventBuilder.v1(event()).withExtension(HopCount.EXTENSION, 1).build();
        dispatcher.dispatch(4, "team", looping, List.of(trigger(3, SINK)));
        await().until(() -> marks.contains("4 t"));
        assertThat(transport.sent).isEmpty();
    }
}
