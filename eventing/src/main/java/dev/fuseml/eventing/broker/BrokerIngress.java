package dev.fuseml.eventing.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The broker's HTTP ingress, at Knative's multi-tenant broker path {@code /{namespace}/{broker}}: POST a CloudEvent
 * in binary or structured mode; 202 means it is on disk. Requests are read and answered on the broker's Vert.x event
 * loop; the broker's log writer answers once the event is on disk, events that arrive together sharing one fsync.
 */
public final class BrokerIngress implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Broker broker;
    private final Vertx vertx;
    private final HttpServer server;
    private final String host;

    /** The largest event (body) the ingress takes unless told otherwise; the log's records hold at most 64 MiB. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 4 << 20;
    public static final java.time.Duration DEFAULT_IDLE_TIMEOUT = java.time.Duration.ofSeconds(60);
    private final int maxEventBytes;

    public BrokerIngress(Broker broker, String host, int port) throws IOException {
        this(broker, host, port, DEFAULT_MAX_EVENT_BYTES);
    }

    public BrokerIngress(Broker broker, String host, int port, int maxEventBytes) throws IOException {
        this(broker, host, port, maxEventBytes, DEFAULT_IDLE_TIMEOUT);
    }

    /**
     * @param idleTimeout how long a connection may send nothing (a half-open one, headers that never end) before it
     *                    is closed: otherwise a few hundred of them hold the ingress's connections for ever
     */
    public BrokerIngress(Broker broker, String host, int port, int maxEventBytes, java.time.Duration idleTimeout)
            throws IOException {
        this.maxEventBytes = maxEventBytes;
        this.broker = broker;
        this.host = host;
        this.vertx = broker.vertx();
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                .setAcceptBacklog(1024).setIdleTimeout((int) idleTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
        server.requestHandler(this::handle);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("the broker ingress cannot listen on " + host + ":" + port + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /** Kept for symmetry with other servers: the ingress listens from construction on. */
    public BrokerIngress start() {
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    /** The URL to post events to for {@code namespace}'s default broker. */
    public URI url(String namespace) {
        return URI.create("http://" + host + ":" + port() + "/" + namespace + "/" + Broker.DEFAULT_BROKER);
    }

    private void handle(HttpServerRequest request) {
        String[] path = request.path().replaceAll("^/+|/+$", "").split("/");
        if (path.length == 1 && "healthz".equals(path[0])) {
            respond(request, 200, Map.of("status", "ok"));
            return;
        }
        if (path.length != 2) {
            respond(request, 404, Map.of("error", "no broker at " + request.path()
                    + ": post events to /{namespace}/default"));
            return;
        }
        if (request.method() != HttpMethod.POST) {
            request.response().putHeader("Allow", "POST");
            respond(request, 405, Map.of("error", request.method() + " is not allowed: send the CloudEvent with POST"));
            return;
        }
        // the sender's right first: a namespace it may not send to is refused alike whether it exists or not, so
        // that the answer tells nothing of other tenants' names
        Optional<BrokerGuard.Refusal> denied = broker.guard().admit(path[0], request.getHeader("Authorization"));
        if (denied.isPresent()) {
            request.response().putHeader("Connection", "close");
            respond(request, denied.get().status(), Map.of("error", denied.get().message()));
            return;
        }
        if (!broker.hasBroker(path[0], path[1])) {
            respond(request, 404, Map.of("error", "broker " + path[1] + " does not exist in namespace " + path[0]
                    + " (create the org first)"));
            return;
        }
        String declared = request.getHeader("Content-Length");
        if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > maxEventBytes) {
            tooLarge(request);
            return;
        }
        // Read with a bound: an event larger than the limit is refused as it arrives, never held whole in memory.
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > maxEventBytes) {
                refused[0] = true;
                tooLarge(request);
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> {
            if (!refused[0] && !request.response().ended()) {
                respond(request, 400, Map.of("error", "cannot read the request: " + e.getMessage()));
            }
        });
        request.endHandler(v -> {
            if (!refused[0]) {
                accept(request, path[0], body);
            }
        });
    }

    private void accept(HttpServerRequest request, String namespace, Buffer body) {
        CloudEvent event;
        try {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            request.headers().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>())
                    .add(h.getValue()));
            event = CloudEventHttp.read(headers, body.getBytes());
        } catch (CloudEventHttp.InvalidEventException e) {
            respond(request, 400, Map.of("error", e.getMessage()));
            return;
        } catch (RuntimeException e) { // never leave a sender without an answer
            respond(request, 400, Map.of("error", "the request cannot be read as a CloudEvent: " + e));
            return;
        }
        Optional<BrokerGuard.Refusal> refused = broker.guard().accepts(namespace, event);
        if (refused.isPresent()) {
            respond(request, refused.get().status(), Map.of("error", refused.get().message()));
            return;
        }
        io.vertx.core.Context context = vertx.getOrCreateContext();
        broker.acceptAsync(namespace, event).whenComplete((ok, error) -> context.runOnContext(v -> {
            if (error == null) {
                request.response().setStatusCode(202).end();
            } else {
                respond(request, 500, Map.of("error", "event not accepted: " + error.getMessage()));
            }
        }));
    }

    private void tooLarge(HttpServerRequest request) {
        request.response().putHeader("Connection", "close");
        respond(request, 413, Map.of("error", "the event is larger than " + maxEventBytes + " bytes, this broker's "
                + "limit: send large data by reference (a URL or an artifact URI) in a smaller event"));
    }

    private static void respond(HttpServerRequest request, int status, Object body) {
        try {
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            request.response().setStatusCode(500).end();
        }
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
