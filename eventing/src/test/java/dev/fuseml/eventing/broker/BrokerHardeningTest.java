package dev.fuseml.eventing.broker;

import dev.fuseml.eventing.filter.Filter;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a careless or hostile sender cannot do to the broker: oversized events, broken data, endless loops. */
class BrokerHardeningTest {
    private static final int LIMIT = 64 * 1024;
    @TempDir
    Path dir;
    private Broker broker;
    private BrokerIngress ingress;
    private Subscriber subscriber;
    private final List<String> hopLimited = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        subscriber = new Subscriber();
        broker = new Broker(dir);
        broker.addNamespace("team");
        broker.observe(new BrokerObserver() {
            @Override
            public void hopLimitReached(String namespace, CloudEvent event, Trigger trigger) {
                hopLimited.add(trigger.name());
            }
        });
        ingress = new BrokerIngress(broker, "127.0.0.1", 0, LIMIT).start();
        broker.setTriggers(List.of(
                new Trigger("all", "team", new Filter.Exact(Map.of("type", "t")), subscriber.uri(), null),
                // a trigger that sends its events back into the broker's own ingress: a loop
                new Trigger("loop", "team", new Filter.Exact(Map.of("type", "loop")), ingress.url("team"), null)));
        broker.start();
    }

    @AfterEach
    void stop() throws Exception {
        ingress.close();
        broker.close();
        subscriber.close();
    }

    private HttpResponse<String> post(String type, String contentType, byte[] body, Map<String, String> more)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(ingress.url("team")).header("ce-specversion", "1.0")
                .header("ce-id", java.util.UUID.randomUUID().toString()).header("ce-type", type)
                .header("ce-source", "test").header("Content-Type", contentType);
        more.forEach(request::header);
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anEventOverTheSizeLimitIs413NamingTheLimitAndTheBrokerGoesOn() throws Exception {
        HttpResponse<String> declared = post("t", "application/octet-stream", new byte[LIMIT + 1], Map.of());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("larger than " + LIMIT + " bytes", "by reference");

        // the same without a declared length (chunked): refused as it arrives
        HttpURLConnection chunked = (HttpURLConnection) ingress.url("team").toURL().openConnection();
        chunked.setRequestMethod("POST");
        chunked.setDoOutput(true);
        chunked.setChunkedStreamingMode(8192);
        chunked.setRequestProperty("ce-specversion", "1.0");
        chunked.setRequestProperty("ce-id", "big");
        chunked.setRequestProperty("ce-type", "t");
        chunked.setRequestProperty("ce-source", "test");
        chunked.setRequestProperty("Content-Type", "application/octet-stream");
        try (OutputStream out = chunked.getOutputStream()) {
            for (int i = 0; i < 4; i++) {
                out.write(new byte[LIMIT / 2]);
                out.flush();
            }
        } catch (java.io.IOException closedByTheBroker) {
            // the broker answered and closed while the body was still coming
        }
        assertThat(chunked.getResponseCode()).isEqualTo(413);

        assertThat(post("t", "application/json", "{\"ok\":true}".getBytes(), Map.of()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received.size() == 1);
    }

    @Test
    void dataThatClaimsToBeJsonButIsNotIs400AndNeverReachesTheLog() throws Exception {
        HttpResponse<String> refused = post("t", "application/json", "not json at all".getBytes(), Map.of());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("not JSON", "datacontenttype");
        assertThat(post("t", "text/plain", "not json at all".getBytes(), Map.of()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received.size() == 1);
    }

    @Test
    void aRecordThatCannotBeReadIsSkippedAtRecoveryAndTheOthersAreReplayed() throws Exception {
        Path file = dir.resolve("poisoned.log");
        try (EventLog log = new EventLog(file)) {
            log.append("team", CloudEventBuilder.v1().withId("good-1").withType("t").withSource(URI.create("s"))
                    .build());
            // what the ingress now refuses, written straight to the log as an older version could have
            log.append("team", CloudEventBuilder.v1().withId("poison").withType("t").withSource(URI.create("s"))
                    .withData("application/json", "not json".getBytes(StandardCharsets.UTF_8)).build());
            log.append("team", CloudEventBuilder.v1().withId("good-2").withType("t").withSource(URI.create("s"))
                    .build());
        }
        try (EventLog reopened = new EventLog(file)) {
            List<EventLog.Recovered> recovered = reopened.recover();
            assertThat(recovered).extracting(r -> r.event().getId()).containsExactly("good-1", "good-2");
            assertThat(reopened.skippedAtRecovery()).isEqualTo(1);
        }
    }

    @Test
    void aTriggerThatLoopsStopsAtTheHopLimit() throws Exception {
        assertThat(post("loop", "application/json", "{}".getBytes(), Map.of("ce-knativebrokerttl", "6"))
                .statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> hopLimited.size() == 1);
        assertThat(hopLimited).containsExactly("loop");
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.inFlight() == 0);
        assertThat(hopLimited).hasSize(1);
    }

    @Test
    void anEventWithoutAHopCountGetsKnativesAndEachDeliverySpendsOne() throws Exception {
        assertThat(post("t", "application/json", "{}".getBytes(), Map.of()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received.size() == 1);
        assertThat(subscriber.received.get(0).event().getExtension(HopCount.EXTENSION).toString()).isEqualTo("254");
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosedAfterTheIdleTimeout() throws Exception {
        try (BrokerIngress quick = new BrokerIngress(broker, "127.0.0.1", 0, LIMIT, java.time.Duration.ofSeconds(1))
                .start(); java.net.Socket socket = new java.net.Socket("127.0.0.1", quick.port())) {
            socket.getOutputStream().write("POST /team/default HTTP/1.1\r\nHost: x\r\nce-id: 1\r\n".getBytes());
            socket.getOutputStream().flush();
            socket.setSoTimeout(20_000);
            // the server closes it: the read ends (-1, or a reset) instead of waiting for ever
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            org.assertj.core.api.Assertions.assertThat(read).as("closed by the server").isEqualTo(-1);
        }
    }
}
