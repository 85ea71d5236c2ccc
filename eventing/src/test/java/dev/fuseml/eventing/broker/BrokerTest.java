package dev.fuseml.eventing.broker;

import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BrokerTest {
    @TempDir
    Path dir;
    private Broker broker;
    private Subscriber subscriber;
    private Subscriber deadLetters;

    @BeforeEach
    void start() throws Exception {
        subscriber = new Subscriber();
        deadLetters = new Subscriber();
        broker = new Broker(dir);
        broker.addNamespace("team");
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
        subscriber.close();
        deadLetters.close();
    }

    private static DeliverySpec fast(int retry, URI deadLetterSink) {
        return new DeliverySpec(retry, BackoffPolicy.EXPONENTIAL, Duration.ofMillis(5), Duration.ofSeconds(5),
                deadLetterSink);
    }

    static CloudEvent event(String type, String id) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("test")).withType(type)
                .withExtension("fusemlrun", "run-1")
                .withData("application/json", "{\"n\":1}".getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void deliversMatchingEventsInBinaryModeWithTheirExtensions() throws Exception {
        broker.setTriggers(List.of(Trigger.onAttributes("t", "team", Map.of("type", "a"), subscriber.uri(), fast(0, null))));
        broker.start();
        broker.accept("team", event("b", "ignored"));
        broker.accept("team", event("a", "1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> broker.inFlight() == 0 && subscriber.received.size() == 1);
        Subscriber.Received got = subscriber.received.get(0);
        assertThat(got.event().getId()).isEqualTo("1");
        assertThat(got.event().getExtension("fusemlrun")).isEqualTo("run-1");
        assertThat(got.headers()).containsKey("Ce-id");
        assertThat(new String(got.event().getData().toBytes())).isEqualTo("{\"n\":1}");
    }

    @Test
    void filterAttributesAreAnExactMatchOnEveryEntry() {
        Trigger trigger = Trigger.onAttributes("t", "team", Map.of("type", "a", "fusemlrun", "run-1"), subscriber.uri(), null);
        assertThat(trigger.matches(event("a", "1"))).isTrue();
        assertThat(trigger.matches(event("ab", "1"))).isFalse();
        Trigger other = Trigger.onAttributes("t", "team", Map.of("type", "a", "fusemlrun", "run-2"), subscriber.uri(), null);
        assertThat(other.matches(event("a", "1"))).isFalse();
        assertThat(Trigger.onAttributes("t", "team", Map.of(), subscriber.uri(), null).matches(event("x", "1"))).isTrue();
    }

    @Test
    void aReplyEventReEntersTheBroker() throws Exception {
        Subscriber second = new Subscriber();
        try (second) {
            subscriber.otherwise(e -> new Subscriber.Answer(200, event("reply", "r-" + e.getId()), ""));
            broker.setTriggers(List.of(
                    Trigger.onAttributes("first", "team", Map.of("type", "a"), subscriber.uri(), fast(0, null)),
                    Trigger.onAttributes("second", "team", Map.of("type", "reply"), second.uri(), fast(0, null))));
            broker.start();
            broker.accept("team", event("a", "1"));
            await().atMost(Duration.ofSeconds(10)).until(() -> second.received.size() == 1);
            assertThat(second.received.get(0).event().getId()).isEqualTo("r-1");
            assertThat(subscriber.received.get(0).headers().get("Prefer")).containsExactly("reply");
        }
    }

    @Test
    void retriesRetriableStatusesThenDelivers() throws Exception {
        subscriber.answer(Subscriber.Answer.of(503), Subscriber.Answer.of(429), Subscriber.Answer.of(404));
        broker.setTriggers(List.of(Trigger.onAttributes("t", "team", Map.of("type", "a"), subscriber.uri(),
                fast(3, deadLetters.uri()))));
        broker.start();
        broker.accept("team", event("a", "1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.inFlight() == 0);
        assertThat(subscriber.received).hasSize(4);
        assertThat(deadLetters.received).isEmpty();
    }

    @Test
    void aNonRetriableStatusGoesStraightToTheDeadLetterSinkWithKnativeErrorExtensions() throws Exception {
        subscriber.answer(new Subscriber.Answer(400, null, "bad payload"));
        broker.setTriggers(List.of(Trigger.onAttributes("t", "team", Map.of("type", "a"), subscriber.uri(),
                fast(5, deadLetters.uri()))));
        broker.start();
        broker.accept("team", event("a", "1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.received.size() == 1);
        CloudEvent dead = deadLetters.received.get(0).event();
        assertThat(subscriber.received).hasSize(1);
        assertThat(dead.getId()).isEqualTo("1");
        assertThat(dead.getExtension("knativeerrorcode")).isEqualTo("400");
        assertThat(dead.getExtension("knativeerrordest")).isEqualTo(subscriber.uri().toString());
        assertThat(new String(Base64.getDecoder().decode(dead.getExtension("knativeerrordata").toString())))
                .isEqualTo("bad payload");
    }

    @Test
    void exhaustedRetriesGoToTheDeadLetterSink() throws Exception {
        subscriber.otherwise(e -> Subscriber.Answer.of(500));
        broker.setTriggers(List.of(Trigger.onAttributes("t", "team", Map.of("type", "a"), subscriber.uri(),
                fast(2, deadLetters.uri()))));
        broker.start();
        broker.accept("team", event("a", "1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.received.size() == 1);
        assertThat(subscriber.received).hasSize(3);
        assertThat(deadLetters.received.get(0).event().getExtension("knativeerrorcode")).isEqualTo("500");
    }

    @Test
    void anAcceptedEventSurvivesARestartAndIsDeliveredOnce() throws Exception {
        int port = subscriber.port();
        subscriber.close();
        // The subscriber is down: the broker retries and is then closed before it gets through.
        broker.setTriggers(List.of(Trigger.onAttributes("t", "team", Map.of("type", "a"), URI.create("http://127.0.0.1:"
                + port + "/"), new DeliverySpec(100, BackoffPolicy.LINEAR, Duration.ofMillis(50),
                Duration.ofSeconds(2), null))));
        broker.start();
        broker.accept("team", event("a", "durable"));
        broker.close();

        subscriber = new Subscriber(port);
        broker = new Broker(dir);
        broker.setTriggers(List.of(Trigger.onAttributes("t", "team", Map.of("type", "a"), subscriber.uri(), fast(3, null))));
        broker.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.inFlight() == 0 && !subscriber.received.isEmpty());
        int delivered = subscriber.received.size();

        // Delivered (at least once); a further restart has nothing left to deliver.
        broker.close();
        broker = new Broker(dir);
        broker.setTriggers(List.of(Trigger.onAttributes("t", "team", Map.of("type", "a"), subscriber.uri(), fast(3, null))));
        broker.start();
        assertThat(broker.inFlight()).isZero();
        assertThat(subscriber.received).hasSize(delivered).extracting(r -> r.event().getId()).containsOnly("durable");
    }

    @Test
    void theLogKeepsEveryAttributeOfTheEvent() {
        CloudEvent original = CloudEventBuilder.v1(event("a", "1")).withSubject("wine")
                .withTime(java.time.OffsetDateTime.parse("2026-11-26T10:00:00Z"))
                .withExtension("other", "x").build();
        CloudEvent back = CloudEventHttp.fromJson(CloudEventHttp.toJson(original));
        assertThat(back.getAttributeNames()).containsExactlyInAnyOrderElementsOf(original.getAttributeNames());
        for (String name : original.getAttributeNames()) {
            assertThat(back.getAttribute(name)).as(name).isEqualTo(original.getAttribute(name));
        }
        assertThat(back.getExtensionNames()).containsExactlyInAnyOrder("other", "fusemlrun");
        assertThat(back.getData().toBytes()).isEqualTo(original.getData().toBytes());
    }
}
