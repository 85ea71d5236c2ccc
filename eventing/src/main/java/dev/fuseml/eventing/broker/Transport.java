package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;

import java.io.Closeable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How the broker sends an event to a subscriber (binary mode over HTTP: {@link VertxTransport}); a test passes a
 * fake to see what the {@link Dispatcher} sends and to answer as a subscriber would.
 */
interface Transport extends Closeable {
    /** A subscriber's answer. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    }

    /**
     * Sends {@code event}; completes exceptionally on a transport failure or timeout.
     *
     * @param preferReply   whether to ask for a reply event ({@code Prefer: reply}), as deliveries do
     * @param authorization the Authorization header to send, or null
     */
    CompletableFuture<Answer> send(URI target, CloudEvent event, Duration timeout, boolean preferReply,
            String authorization);

    /** The Vert.x instance the broker's ingress may share, where the transport runs on one. */
    default Optional<io.vertx.core.Vertx> vertx() {
        return Optional.empty();
    }

    @Override
    void close();
}
