package dev.fuseml.eventing.broker;

import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The broker's HTTP, on Vert.x: one event loop serves the ingress and sends deliveries over pooled keep-alive
 * connections. The JDK's HTTP server and client cost several times more CPU per request, which on two cores set
 * the broker's ceiling (bench/README.md).
 */
final class VertxTransport implements Transport {
    private final Vertx vertx;
    private final HttpClient client;

    VertxTransport() {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(64)
                .setBlockedThreadCheckInterval(60_000));
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setKeepAlive(true)
                .setTcpNoDelay(true).setConnectTimeout(5_000));
    }

    @Override
    public java.util.Optional<Vertx> vertx() {
        return java.util.Optional.of(vertx);
    }

    /** Sends {@code event} in binary mode; completes exceptionally on a transport failure or timeout. */
    @Override
    public CompletableFuture<Answer> send(URI target, CloudEvent event, Duration timeout, boolean preferReply,
            String authorization) {
        CloudEventHttp.Encoded encoded = CloudEventHttp.binary(event);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target.toString())
                .setTimeout(timeout.toMillis());
        encoded.headers().forEach(options::putHeader);
        if (preferReply) {
            options.putHeader("Prefer", "reply");
        }
        if (authorization != null) {
            options.putHeader("Authorization", authorization);
        }
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(encoded.body())))
                .compose(response -> response.body().map(body -> {
                    Map<String, List<String>> headers = new LinkedHashMap<>();
                    response.headers().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>())
                            .add(h.getValue()));
                    return new Answer(response.statusCode(), headers, body.getBytes());
                }))
                .toCompletionStage().toCompletableFuture();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
