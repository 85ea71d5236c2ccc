package dev.fuseml.eventing.broker;

import com.sun.net.httpserver.HttpServer;
import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A subscriber on a free loopback port that records what it receives and answers as told. */
final class Subscriber implements AutoCloseable {
    /** One answer: a status, and an event to reply with (for 200). */
    record Answer(int status, CloudEvent reply, String body) {
        static Answer of(int status) {
            return new Answer(status, null, "");
        }
    }

    record Received(CloudEvent event, Map<String, List<String>> headers) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();
    private final HttpServer server;
    private volatile Function<CloudEvent, Answer> otherwise = e -> Answer.of(202);

    Subscriber() throws IOException {
        this(0);
    }

    Subscriber(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                CloudEvent event = CloudEventHttp.read(exchange.getRequestHeaders(), body);
                received.add(new Received(event, Map.copyOf(exchange.getRequestHeaders())));
                Answer answer;
                synchronized (script) {
                    answer = script.isEmpty() ? otherwise.apply(event) : script.poll();
                }
                if (answer.reply() != null) {
                    CloudEventHttp.Encoded encoded = CloudEventHttp.binary(answer.reply());
                    encoded.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                    exchange.sendResponseHeaders(answer.status(), encoded.body().length);
                    exchange.getResponseBody().write(encoded.body());
                } else if (answer.body().isEmpty()) {
                    exchange.sendResponseHeaders(answer.status(), -1);
                } else {
                    byte[] bytes = answer.body().getBytes();
                    exchange.sendResponseHeaders(answer.status(), bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
            }
        });
        server.start();
    }

    /** The next answers, in order; after them, {@code otherwise}. */
    Subscriber answer(Answer... answers) {
        synchronized (script) {
            script.addAll(List.of(answers));
        }
        return this;
    }

    Subscriber otherwise(Function<CloudEvent, Answer> answer) {
        this.otherwise = answer;
        return this;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
