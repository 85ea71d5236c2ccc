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
import com.fasterxml.jackson.databind.MappingIterator;
import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

/**
 * The ingress against knative-delivery/broker-ingress-vectors.yaml, and the CloudEvents conformance events
 * (cloudevents-conformance/v1.yaml, v1_minimum.yaml) posted in binary and structured mode reaching a subscriber with
 * every attribute and extension unchanged (copies with their provenance in test resources).
 */
class BrokerIngressTest {
    @TempDir
    Path dir;
    private Broker broker;
    private BrokerIngress ingress;
    private Subscriber subscriber;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
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

    @TestFactory
    List<DynamicTest> conformanceEventsPassThroughUnchanged() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : List.of("v1.yaml", "v1_minimum.yaml")) {
            for (JsonNode doc : documents(file)) {
                CloudEvent event = event(doc);
                for (String mode : List.of("binary", "structured")) {
                    tests.add(DynamicTest.dynamicTest(file + " " + event.getId() + " " + mode, () -> roundTrip(event,
                            mode)));
                }
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(12);
        return tests;
    }

    private void roundTrip(CloudEvent event, String mode) throws Exception {
        subscriber.received.clear();
        HttpRequest.Builder request = HttpRequest.newBuilder(ingress.url("team"));
        if (mode.equals("binary")) {
            CloudEventHttp.Encoded encoded = CloudEventHttp.binary(event);
            encoded.headers().forEach(request::header);
            request.POST(HttpRequest.BodyPublishers.ofByteArray(encoded.body()));
        } else {
            request.header("Content-Type", "application/cloudevents+json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(CloudEventHttp.toJson(event)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> !subscriber.received.isEmpty());
        CloudEvent got = subscriber.received.get(0).event();
        assertThat(got.getSpecVersion()).isEqualTo(event.getSpecVersion());
        for (String name : event.getAttributeNames()) {
            assertThat(got.getAttribute(name)).as(name).isEqualTo(event.getAttribute(name));
        }
        // Every extension as sent, plus the hop count Knative's broker adds too (one hop spent on this delivery)
        assertThat(got.getExtensionNames()).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                event.getExtensionNames().stream(), java.util.stream.Stream.of(HopCount.EXTENSION)).toList());
        assertThat(got.getExtension(HopCount.EXTENSION).toString()).isEqualTo("254");
        for (String name : event.getExtensionNames()) {
            assertThat(got.getExtension(name)).as(name).isEqualTo(event.getExtension(name));
        }
        String type = event.getDataContentType();
        byte[] sent = event.getData().toBytes();
        byte[] delivered = got.getData().toBytes();
        if (type == null || type.contains("json")) {
            assertThat(JSON.readTree(delivered)).isEqualTo(JSON.readTree(sent));
        } else {
            assertThat(new String(delivered, StandardCharsets.UTF_8)).isEqualTo(new String(sent, StandardCharsets.UTF_8));
        }
    }

    private static List<JsonNode> documents(String file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (InputStream in = BrokerIngressTest.class.getResourceAsStream(
                "/conformance/cloudevents-conformance/" + file);
                MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(in)) {
            while (it.hasNextValue()) {
                docs.add(it.nextValue());
            }
        }
        return docs;
    }

    private static CloudEvent event(JsonNode doc) {
        JsonNode attributes = doc.path("ContextAttributes");
        CloudEventBuilder builder = CloudEventBuilder.v1().withId(attributes.path("id").asText())
                .withType(attributes.path("type").asText()).withSource(URI.create(attributes.path("source").asText()));
        if (attributes.has("time")) {
            builder.withTime(OffsetDateTime.parse(attributes.get("time").asText()));
        }
        if (attributes.has("subject")) {
            builder.withSubject(attributes.get("subject").asText());
        }
        attributes.path("Extensions").fields().forEachRemaining(e -> builder.withExtension(e.getKey(),
                e.getValue().asText()));
        byte[] data = doc.path("Data").asText("").getBytes(StandardCharsets.UTF_8);
        if (attributes.has("datacontenttype")) {
            builder.withData(attributes.get("datacontenttype").asText(), data);
        } else if (data.length > 0) {
            builder.withData(data);
        }
        return builder.build();
    }
}
