package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Subscribers as a test scripts them: each send is recorded, and {@link #answer} says what comes back. */
final class FakeTransport implements Transport {
    /** One send: where, what, and with which Authorization. */
    record Sent(URI target, CloudEvent event, boolean preferReply, String authorization) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    volatile Function<Sent, CompletableFuture<Answer>> answer = s -> CompletableFuture.completedFuture(status(202));

    static Answer status(int status) {
        return new Answer(status, Map.of(), new byte[0]);
    }

    @Override
    public CompletableFuture<Answer> send(URI target, CloudEvent event, Duration timeout, boolean preferReply,
            String authorization) {
        Sent s = new Sent(target, event, preferReply, authorization);
        sent.add(s);
        return answer.apply(s);
    }

    @Override
    public void close() {
    }
}
