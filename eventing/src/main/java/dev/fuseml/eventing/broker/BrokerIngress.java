package dev.fuseml.eventing.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The broker's HTTP ingress, at Knative's multi-tenant broker path {@code /{namespace}/{broker}}: POST a CloudEvent
 * in binary or structured mode; 202 means it is on disk.
 */
public final class BrokerIngress implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Broker broker;
    private final HttpServer server;
    private final ExecutorService executor;

    static {
        // The JDK's HTTP server leaves Nagle's algorithm on unless told otherwise: small answers then wait for
        // delayed ACKs (tens of milliseconds each). Read once, when the server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    public BrokerIngress(Broker broker, String host, int port) throws IOException {
        this.broker = broker;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 128);
        this.executor = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "broker-ingress");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public BrokerIngress start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL to post events to for {@code namespace}'s default broker. */
    public URI url(String namespace) {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + "/" + namespace + "/"
                + Broker.DEFAULT_BROKER);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            byte[] bytes = body.readAllBytes();
            String[] path = exchange.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/");
            if (path.length == 1 && "healthz".equals(path[0])) {
                respond(exchange, 200, Map.of("status", "ok"));
                return;
            }
            if (path.length != 2) {
                respond(exchange, 404, Map.of("error", "no broker at " + exchange.getRequestURI().getPath()
                        + ": post events to /{namespace}/default"));
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "POST");
                respond(exchange, 405, Map.of("error", exchange.getRequestMethod()
                        + " is not allowed: send the CloudEvent with POST"));
                return;
            }
            if (!broker.hasBroker(path[0], path[1])) {
                respond(exchange, 404, Map.of("error", "broker " + path[1] + " does not exist in namespace "
                        + path[0] + " (create the org first)"));
                return;
            }
            CloudEvent event;
            try {
                event = CloudEventHttp.read(exchange.getRequestHeaders(), bytes);
            } catch (CloudEventHttp.InvalidEventException e) {
                respond(exchange, 400, Map.of("error", e.getMessage()));
                return;
            }
            broker.accept(path[0], event);
            exchange.sendResponseHeaders(202, -1);
        } catch (IOException | RuntimeException e) {
            try {
                respond(exchange, 500, Map.of("error", "event not accepted: " + e.getMessage()));
            } catch (IOException | RuntimeException ignored) {
                // the response was already started; the producer sees a broken connection and retries
            }
        } finally {
            exchange.close();
        }
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
