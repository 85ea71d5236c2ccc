package dev.fuseml.eventing.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ingress against knative-delivery/broker-ingress-vectors.yaml (a copy with its provenance in resources). */
class BrokerIngressTest {
    @TempDir
    Path dir;
    private Broker broker;
    private BrokerIngress ingress;
    private Subscriber subscriber;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        subscriber = new Subscriber();
        broker = new Broker(dir);
        broker.addNamespace("team");
        broker.setTriggers(List.of(Trigger.onAttributes("all", "team", Map.of(), subscriber.uri(), null)));
        broker.start();
        ingress = new BrokerIngress(broker, "127.0.0.1", 0).start();
    }

    @AfterEach
    void stop() throws Exception {
        ingress.close();
        broker.close();
        subscriber.close();
    }

    @TestFactory
    List<DynamicTest> knativeIngressVectors() throws Exception {
        JsonNode vectors;
        try (InputStream in = getClass().getResourceAsStream("/conformance/knative-delivery/broker-ingress-vectors.yaml")) {
            vectors = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode vector : vectors) {
            tests.add(DynamicTest.dynamicTest(vector.path("name").asText(), () -> {
                JsonNode request = vector.path("request");
                HttpRequest.Builder builder = HttpRequest.newBuilder(ingress.url("team"));
                request.path("headers").fields().forEachRemaining(h -> builder.header(h.getKey(), h.getValue().asText()));
                String body = request.path("body").asText("");
                builder.method(request.path("method").asText(), body.isEmpty() && !"POST".equals(request.path("method")
                        .asText()) ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
                HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
                String expected = vector.path("expect_status").asText();
                if (expected.endsWith("xx")) {
                    assertThat(response.statusCode() / 100).as(response.body())
                            .isEqualTo(Integer.parseInt(expected.substring(0, 1)));
                } else {
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(Integer.parseInt(expected));
                }
                if (response.statusCode() >= 400) {
                    assertThat(response.body()).contains("\"error\"");
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(6);
        return tests;
    }

    @Test
    void anAcceptedEventReachesTheSubscriber() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(ingress.url("team"))
                .header("ce-specversion", "1.0").header("ce-type", "t").header("ce-source", "s")
                .header("ce-id", "42").header("ce-fusemlrun", "r").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received.size() == 1);
        assertThat(subscriber.received.get(0).event().getExtension("fusemlrun")).isEqualTo("r");
    }

    @Test
    void anUnknownBrokerIs404AndSaysWhatToDo() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + ingress.port() + "/nobody/default")).header("ce-specversion", "1.0").header("ce-type", "t")
                .header("ce-source", "s").header("ce-id", "1").POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("create the org");
    }

    @Test
    void aBodyThatIsNotACloudEventIs400NamingTheProblem() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(ingress.url("team"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("ce-specversion");
    }
}
