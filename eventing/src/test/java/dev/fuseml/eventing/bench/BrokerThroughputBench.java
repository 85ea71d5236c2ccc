package dev.fuseml.eventing.bench;

import dev.fuseml.eventing.broker.BackoffPolicy;
import dev.fuseml.eventing.broker.Broker;
import dev.fuseml.eventing.broker.BrokerIngress;
import dev.fuseml.eventing.broker.DeliverySpec;
import dev.fuseml.eventing.broker.Trigger;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Broker throughput and latency on loopback (run with {@code mvn -pl eventing test -Pbench}): a producer posting
 * binary-mode events to the ingress, one trigger, one subscriber answering 202, durable log on. Producer and
 * subscriber run on their own Vert.x instance. Prints the figures next to the baseline of the same producer posting
 * straight to the subscriber, measured in the same run.
 */
class BrokerThroughputBench {
    private static final int EVENTS = Integer.getInteger("bench.events", 50_000);
    private static final int WINDOW = 128;
    private static final int OFFERED_RATE = 5_000;
    private static final int LATENCY_SECONDS = 6;

    @TempDir
    Path dir;

    private final Set<String> received = ConcurrentHashMap.newKeySet();
    private volatile AtomicLongArray latencies = new AtomicLongArray(1);
    private final AtomicInteger latencyCount = new AtomicInteger();
    private Vertx vertx;
    private HttpClient client;

    private HttpServer subscriber() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String sent = request.getHeader("ce-sentnanos");
            if (sent != null) {
                int i = latencyCount.getAndIncrement();
                if (i < latencies.length()) {
                    latencies.set(i, System.nanoTime() - Long.parseLong(sent));
                }
            }
            received.add(request.getHeader("ce-id"));
            request.response().setStatusCode(202).end();
        }));
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<Integer> post(URI target, String id, String type) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target.toString())
                .putHeader("ce-specversion", "1.0").putHeader("ce-id", id).putHeader("ce-type", type)
                .putHeader("ce-source", "bench").putHeader("ce-sentnanos", Long.toString(System.nanoTime()))
                .putHeader("content-type", "application/json").setTimeout(30_000);
        return client.request(options).compose(r -> r.send(Buffer.buffer("{\"n\":1}")))
                .map(r -> r.statusCode()).toCompletionStage().toCompletableFuture();
    }

    /** Posts {@code count} events keeping {@code WINDOW} in flight; returns the events per second acknowledged. */
    private double blast(URI target, String prefix, int count, Set<String> acked, String type) throws Exception {
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WINDOW);
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            window.acquire();
            String id = prefix + i;
            post(target, id, type).whenComplete((status, error) -> {
                if (error == null && status / 100 == 2) {
                    acked.add(id);
                } else {
                    failures.incrementAndGet();
                }
                window.release();
            });
        }
        window.acquire(WINDOW);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(failures.get()).as("refused posts").isZero();
        return count / seconds;
    }

    /** Offers {@code rate} events/s (open loop) and returns the ingress-to-subscriber latency percentiles. */
    private String latency(URI ingress, int rate) throws Exception {
        received.clear();
        int total = rate * LATENCY_SECONDS;
        latencies = new AtomicLongArray(total);
        latencyCount.set(0);
        AtomicInteger refused = new AtomicInteger();
        long begin = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = begin + (long) i * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            post(ingress, "paced-" + rate + "-" + i, "bench.event").whenComplete((status, error) -> {
                if (error != null || status / 100 != 2) {
                    refused.incrementAndGet();
                }
            });
        }
        double offered = total / ((System.nanoTime() - begin) / 1e9);
        await().atMost(Duration.ofMinutes(2)).until(() -> latencyCount.get() + refused.get() >= total);
        int measured = Math.min(latencyCount.get(), total);
        long[] sorted = new long[measured];
        for (int i = 0; i < measured; i++) {
            sorted[i] = latencies.get(i);
        }
        Arrays.sort(sorted);
        return String.format("latency, %,d events/s offered (%,.0f achieved, %d refused), send -> subscriber: "
                + "p50 %.1f ms, p99 %.1f ms", rate, offered, refused.get(), sorted[measured / 2] / 1e6,
                sorted[(int) (measured * 0.99)] / 1e6);
    }

    @Test
    void throughputAndLatency() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(WINDOW).setKeepAlive(true)
                .setTcpNoDelay(true));
        HttpServer sub = subscriber();
        URI subscriberUri = URI.create("http://127.0.0.1:" + sub.actualPort() + "/");
        try (Broker broker = new Broker(dir)) {
            broker.addNamespace("bench");
            broker.setTriggers(List.of(Trigger.onAttributes("all", "bench", Map.of("type", "bench.event"),
                    subscriberUri, new DeliverySpec(5, BackoffPolicy.EXPONENTIAL, Duration.ofMillis(50),
                            Duration.ofSeconds(30), null))));
            broker.start();
            BrokerIngress ingress = new BrokerIngress(broker, "127.0.0.1", 0).start();
            URI ingressUri = ingress.url("bench");

            // warm-up of both paths, not counted
            blast(subscriberUri, "warm-direct-", 20_000, ConcurrentHashMap.newKeySet(), "bench.event");
            blast(ingressUri, "warm-broker-", 20_000, ConcurrentHashMap.newKeySet(), "bench.event");
            await().atMost(Duration.ofMinutes(2)).until(() -> broker.inFlight() == 0);

            double direct = blast(subscriberUri, "direct-", EVENTS, ConcurrentHashMap.newKeySet(), "bench.event");
            double ingressOnly = blast(ingressUri, "none-", EVENTS / 2, ConcurrentHashMap.newKeySet(),
                    "bench.unmatched");

            received.clear();
            Set<String> acked = ConcurrentHashMap.newKeySet();
            long start = System.nanoTime();
            double accepted = blast(ingressUri, "broker-", EVENTS, acked, "bench.event");
            await().atMost(Duration.ofMinutes(5)).until(() -> received.size() >= acked.size()
                    && broker.inFlight() == 0);
            double delivered = EVENTS / ((System.nanoTime() - start) / 1e9);
            long lost = acked.stream().filter(id -> !received.contains(id)).count();

            String low = latency(ingressUri, 1_000);
            String target = latency(ingressUri, OFFERED_RATE);

            System.out.println("== embedded broker on loopback, 2 cores, durable log (fsync, group commit) ==");
            System.out.printf("baseline: producer -> subscriber direct     %,10.0f events/s%n", direct);
            System.out.printf("ingress alone (no trigger matches)          %,10.0f events/s%n", ingressOnly);
            System.out.printf("producer -> broker ingress (acknowledged)   %,10.0f events/s%n", accepted);
            System.out.printf("sustained delivered through the broker      %,10.0f events/s  (%d events, lost %d;"
                    + " target >= 10,000)%n", delivered, EVENTS, lost);
            System.out.printf("ratio broker / direct                       %10.2f%n", delivered / direct);
            System.out.println(low);
            System.out.println(target + "  (target p99 <= 20 ms at 5,000/s)");
            assertThat(lost).isZero();
            ingress.close();
        } finally {
            sub.close();
            vertx.close();
        }
    }
}
