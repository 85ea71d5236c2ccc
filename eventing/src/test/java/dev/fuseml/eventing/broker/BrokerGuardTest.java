package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a {@link BrokerGuard} decides reaches the ingress, the replies and the subscribers' requests. */
class BrokerGuardTest {
    @TempDir
    Path dir;
    private Broker broker;
    private BrokerIngress ingress;
    private Subscriber subscriber;
    private Subscriber other;
    private final HttpClient http = HttpClient.newHttpClient();

    /** Tokens "t-team" for namespace team; events must name their namespace in "tenant"; one trigger gets creds. */
    private final BrokerGuard guard = new BrokerGuard() {
        @Override
        public Optional<Refusal> admit(String namespace, String authorization) {
            if (authorization == null) {
                return Optional.of(new Refusal(401, "no token"));
            }
            return authorization.equals("Bearer t-" + namespace) ? Optional.empty()
                    : Optional.of(new Refusal(403, "not your namespace"));
        }

        @Override
        public Optional<Refusal> accepts(String namespace, CloudEvent event) {
            Object tenant = event.getExtension("tenant");
            return tenant == null || tenant.equals(namespace) ? Optional.empty()
                    : Optional.of(new Refusal(403, "another tenant's event"));
        }

        @Override
        public Optional<String> credentials(Trigger trigger, URI target) {
            return trigger.name().equals("trusted") ? Optional.of("Bearer internal") : Optional.empty();
        }
    };

    @BeforeEach
    void start() throws Exception {
        subscriber = new Subscriber();
        other = new Subscriber();
        broker = new Broker(dir);
        broker.guard(guard);
        broker.addNamespace("team");
        broker.addNamespace("rival");
        broker.setTriggers(List.of(
                Trigger.onAttributes("trusted", "team", Map.of("type", "ping"), subscriber.uri(), null),
                Trigger.onAttributes("user", "team", Map.of("type", "ping"), other.uri(), null),
                Trigger.onAttributes("replies", "team", Map.of("type", "reply"), subscriber.uri(), null)));
        broker.start();
        ingress = new BrokerIngress(broker, "127.0.0.1", 0).start();
    }

    @AfterEach
    void stop() throws Exception {
        ingress.close();
        broker.close();
        subscriber.close();
        other.close();
    }

    private HttpResponse<String> post(String namespace, String authorization, String type, String tenant)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(ingress.url(namespace)).header("ce-specversion", "1.0")
                .header("ce-id", java.util.UUID.randomUUID().toString()).header("ce-type", type)
                .header("ce-source", "test").header("ce-tenant", tenant).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theIngressAnswersTheGuardsRefusalsAndLogsNothingRefused() throws Exception {
        assertThat(post("team", null, "ping", "team").statusCode()).isEqualTo(401);
        assertThat(post("team", "Bearer t-rival", "ping", "team").statusCode()).isEqualTo(403);
        HttpResponse<String> forged = post("team", "Bearer t-team", "ping", "rival");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("another tenant's event");
        assertThat(subscriber.received).isEmpty();
        assertThat(post("team", "Bearer t-team", "ping", "team").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received.size() == 1
                && other.received.size() == 1);
    }

    @Test
    void credentialsGoOnlyToTheTriggersTheGuardNames() throws Exception {
        assertThat(post("team", "Bearer t-team", "ping", "team").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received.size() == 1
                && other.received.size() == 1);
        assertThat(subscriber.received.get(0).headers().get("Authorization")).containsExactly("Bearer internal");
        assertThat(other.received.get(0).headers()).doesNotContainKey("Authorization");
    }

    @Test
    void aReplyTheGuardRefusesDoesNotEnterTheBroker() throws Exception {
        CloudEvent forged = CloudEventBuilder.v1().withId("r-1").withType("reply").withSource(URI.create("sub"))
                .withExtension("tenant", "rival").build();
        CloudEvent fine = CloudEventBuilder.v1().withId("r-2").withType("reply").withSource(URI.create("sub"))
                .withExtension("tenant", "team").build();
        other.answer(new Subscriber.Answer(200, forged, ""), new Subscriber.Answer(200, fine, ""));
        assertThat(post("team", "Bearer t-team", "ping", "team").statusCode()).isEqualTo(202);
        assertThat(post("team", "Bearer t-team", "ping", "team").statusCode()).isEqualTo(202);
        // the allowed reply arrives; the forged one, answered first, never does
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received.stream()
                .anyMatch(r -> r.event().getId().equals("r-2")));
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.inFlight() == 0);
        assertThat(subscriber.received).noneMatch(r -> r.event().getId().equals("r-1"));
    }
}
