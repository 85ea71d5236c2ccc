package dev.fuseml.eventing.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.fuseml.eventing.CloudEventHttp;
import dev.fuseml.eventing.filter.Filter;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events sent with the official CloudEvents SDKs that run here (JavaScript from npm, Java) go through the broker to a
 * subscriber written with the same SDK, and arrive as sent: every attribute, extension and the data, after the
 * percent-decoding the HTTP binding asks of a receiver. The values carry non-ASCII text, quotes, '%', spaces and
 * newlines. What an SDK cannot put in a binary-mode header at all (a newline; for Node, anything beyond ISO-8859-1)
 * it refuses before sending: the test shows that too, and sends such values in structured mode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventFormat STRUCTURED = EventFormatProvider.getInstance()
            .resolveFormat(JsonFormat.CONTENT_TYPE);
    private static final Path JS = Path.of("src/test/js").toAbsolutePath();
    /**
     * What Node can put in a header as it is: ISO-8859-1 non-ASCII, quotes, a '%' that starts no escape, spaces. (A
     * value such as "%41" sent without encoding is read as the escape it looks like: the binding's rule.)
     */
    private static final String TEXT = "wine/ä \"quality\" 100% über é";
    /** Only structured mode (or a client that percent-encodes) carries these. */
    private static final String WIDE = "wine/ä \"q\" 100% 😀 ∑\nsecond line";
    private static final String DATA = "{\"note\":\"ä ö ü 😀 \\\"quoted\\\" 100%\",\"n\":1}";

    @TempDir
    static Path dir;
    private Broker broker;
    private BrokerIngress ingress;
    private HttpServer javaSubscriber;
    private Process jsSubscriber;
    private final Map<String, JsonNode> received = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        assertThat(JS.resolve("node_modules/cloudevents/package.json")).as("the JavaScript SDK is not installed: run "
                + "'npm ci --prefix eventing/src/test/js' (bash .ci/run does)").isRegularFile();
        broker = new Broker(dir);
        broker.addNamespace("interop");
        startJavaSubscriber();
        int jsPort = startJsSubscriber();
        broker.setTriggers(List.of(
                new Trigger("to-js", "interop", new Filter.Prefix(Map.of("source", "interop/js")),
                        URI.create("http://127.0.0.1:" + jsPort + "/"), null),
                new Trigger("to-java", "interop", new Filter.Prefix(Map.of("source", "interop/java")),
                        URI.create("http://127.0.0.1:" + javaSubscriber.getAddress().getPort() + "/"), null)));
        broker.start();
        ingress = new BrokerIngress(broker, "127.0.0.1", 0).start();
    }

    @AfterAll
    void stop() throws Exception {
        if (ingress != null) {
            ingress.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (javaSubscriber != null) {
            javaSubscriber.stop(0);
        }
        if (jsSubscriber != null) {
            jsSubscriber.destroy();
            jsSubscriber.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A subscriber written with the Java SDK (cloudevents-http-basic), which leaves headers as they came. */
    private void startJavaSubscriber() throws IOException {
        javaSubscriber = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        javaSubscriber.createContext("/", exchange -> {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            CloudEvent event = HttpMessageFactory.createReader(headers, exchange.getRequestBody().readAllBytes())
                    .toEvent();
            ObjectNode out = JSON.createObjectNode().put("id", event.getId()).put("type", event.getType())
                    .put("source", event.getSource().toString())
                    .put("subject", decoded(event.getSubject()));
            ObjectNode ext = out.putObject("extensions");
            for (String name : event.getExtensionNames()) {
                if (!name.startsWith("knative")) {
                    ext.put(name, decoded(String.valueOf(event.getExtension(name))));
                }
            }
            out.set("data", JSON.readTree(event.getData().toBytes()));
            received.put(event.getId(), out);
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        javaSubscriber.start();
    }

    /** What the binding asks of a receiver: the SDK does not do it. */
    private static String decoded(String value) {
        return value == null ? null : CloudEventHttp.headerText("ce-x", value);
    }

    private int startJsSubscriber() throws Exception {
        jsSubscriber = new ProcessBuilder("node", JS.resolve("subscriber.js").toString()).directory(JS.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(jsSubscriber.getInputStream(),
                StandardCharsets.UTF_8));
        int port = JSON.readTree(lines.readLine()).path("port").asInt();
        Thread reader = new Thread(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    JsonNode event = JSON.readTree(line);
                    received.put(event.path("id").asText(), event);
                }
            } catch (IOException ended) {
                // the subscriber stopped
            }
        }, "js-subscriber");
        reader.setDaemon(true);
        reader.start();
        return port;
    }

    static Stream<Arguments> events() {
        return Stream.of(
                Arguments.of("JavaScript SDK, binary mode", "js", "binary", TEXT),
                Arguments.of("JavaScript SDK, structured mode", "js", "structured", WIDE),
                Arguments.of("Java SDK, binary mode (percent-encoded as the binding says)", "java", "binary", WIDE),
                Arguments.of("Java SDK, structured mode", "java", "structured", WIDE),
                Arguments.of("raw UTF-8 header bytes, as Go's net/http sends them", "java", "raw-utf8", WIDE
                        .replace("\n", " ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void anEventFromAnSdkArrivesAtASubscriberOfTheSameSdkAsSent(String name, String sdk, String mode, String text)
            throws Exception {
        String id = UUID.randomUUID().toString();
        ObjectNode sent = JSON.createObjectNode().put("id", id).put("type", "dev.example.interop")
                .put("source", "interop/" + sdk + "/" + mode).put("subject", text);
        sent.putObject("extensions").put("teamnote", text).put("plain", "ascii-only");
        sent.set("data", JSON.readTree(DATA));
        assertThat(send(sdk, mode, sent)).isEqualTo("sent");
        await().atMost(Duration.ofSeconds(20)).until(() -> received.containsKey(id));
        JsonNode got = received.get(id);
        assertThat(got.path("type").asText()).isEqualTo("dev.example.interop");
        assertThat(got.path("source").asText()).isEqualTo("interop/" + sdk + "/" + mode);
        assertThat(got.path("subject").asText()).isEqualTo(text);
        assertThat(got.path("extensions").path("teamnote").asText()).isEqualTo(text);
        assertThat(got.path("extensions").path("plain").asText()).isEqualTo("ascii-only");
        assertThat(got.path("data")).isEqualTo(JSON.readTree(DATA));
    }

    static Stream<Arguments> uncarriable() {
        return Stream.of(
                Arguments.of("the JavaScript SDK (Node refuses a newline or an emoji in a header)", "js", "binary"),
                Arguments.of("the Java SDK's writer unencoded (java.net.http refuses a newline)", "java",
                        "binary-unencoded"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("uncarriable")
    void whatABinaryHeaderCannotCarryIsRefusedByTheSenderNotMangledOnTheWay(String name, String sdk, String mode)
            throws Exception {
        ObjectNode sent = JSON.createObjectNode().put("id", UUID.randomUUID().toString()).put("type", "t")
                .put("source", "interop/" + sdk + "/refused").put("subject", WIDE);
        sent.putObject("extensions");
        sent.set("data", JSON.readTree(DATA));
        assertThat(send(sdk, mode, sent)).startsWith("refused");
    }

    @org.junit.jupiter.api.Test
    void headerBytesThatAreNotTextAfterDecodingAre400() throws Exception {
        String answer = rawPost("ce-specversion: 1.0\r\nce-id: bad-1\r\nce-type: t\r\nce-source: interop/java/x\r\n"
                + "ce-subject: broken %C3%28\r\n", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(answer).startsWith("HTTP/1.1 400").contains("ce-subject", "UTF-8");
    }

    /** A POST to the ingress with header bytes exactly as given (UTF-8); answers the status line and body. */
    private String rawPost(String headers, byte[] body) throws IOException {
        URI url = ingress.url("interop");
        try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST " + url.getPath() + " HTTP/1.1\r\nHost: " + url.getAuthority() + "\r\n" + headers
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Sends with the SDK; answers "sent" or "refused: why". */
    private String send(String sdk, String mode, ObjectNode event) throws Exception {
        if ("js".equals(sdk)) {
            ObjectNode js = event.deepCopy();
            js.remove("extensions");
            event.path("extensions").fields().forEachRemaining(e -> js.set(e.getKey(), e.getValue()));
            js.put("datacontenttype", "application/json");
            Process p = new ProcessBuilder("node", JS.resolve("send.js").toString(), ingress.url("interop").toString(),
                    mode, JSON.writeValueAsString(js)).directory(JS.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return out;
        }
        CloudEventBuilder builder = CloudEventBuilder.v1().withId(event.path("id").asText())
                .withType(event.path("type").asText()).withSource(URI.create(event.path("source").asText()))
                .withSubject(event.path("subject").asText())
                .withData("application/json", JSON.writeValueAsBytes(event.path("data")));
        event.path("extensions").fields().forEachRemaining(e -> builder.withExtension(e.getKey(), e.getValue()
                .asText()));
        CloudEvent cloudEvent = builder.build();
        HttpRequest.Builder request = HttpRequest.newBuilder(ingress.url("interop"));
        byte[][] body = {new byte[0]};
        try {
            switch (mode) {
                case "structured" -> {
                    request.header("Content-Type", STRUCTURED.serializedContentType());
                    body[0] = STRUCTURED.serialize(cloudEvent);
                }
                // The SDK's writer, with the binding's percent-encoding of ce- values (which the SDK leaves out)
                case "binary" -> {
                    CloudEventHttp.Encoded encoded = CloudEventHttp.binary(cloudEvent);
                    encoded.headers().forEach(request::header);
                    body[0] = encoded.body();
                }
                case "binary-unencoded" -> HttpMessageFactory.createWriter(request::header, b -> body[0] = b)
                        .writeBinary(cloudEvent);
                default -> { // raw-utf8: header bytes as UTF-8, unencoded
                    StringBuilder headers = new StringBuilder();
                    HttpMessageFactory.createWriter((k, v) -> headers.append(k).append(": ").append(v).append("\r\n"),
                            b -> body[0] = b).writeBinary(cloudEvent);
                    String answer = rawPost(headers.toString(), body[0]);
                    return answer.startsWith("HTTP/1.1 202") ? "sent" : answer;
                }
            }
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage(); // java.net.http refuses what a header cannot carry
        }
        HttpResponse<String> response = http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0]))
                .build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 202 ? "sent" : "status " + response.statusCode() + ": " + response.body();
    }

}
