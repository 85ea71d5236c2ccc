package dev.fuseml.eventing.bench;

import com.sun.net.httpserver.HttpServer;
import dev.fuseml.eventing.broker.BackoffPolicy;
import dev.fuseml.eventing.broker.Broker;
import dev.fuseml.eventing.broker.BrokerIngress;
import dev.fuseml.eventing.broker.DeliverySpec;
import dev.fuseml.eventing.broker.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Broker throughput and latency on loopback (run with {@code mvn -pl eventing test -Pbench}): a producer posting
 * binary-mode events to the ingress, one trigger, one subscriber answering 202, durable log on. Prints its figures
 * next to the baseline of the same producer posting straight to the subscriber, measured in the same run.
 */
class BrokerThroughputBench {
    private static final int EVENTS = Integer.getInteger("bench.events", 20_000);
    private static final int CONCURRENCY = 16;
    private static final int OFFERED_RATE = 5_000;
    private static final int LATENCY_SECONDS = 6;

    @TempDir
    Path dir;

    private final Set<String> received = ConcurrentHashMap.newKeySet();
    private volatile AtomicLongArray latencies = new AtomicLongArray(1);
    private final AtomicInteger latencyCount = new AtomicInteger();

    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpServer subscriber() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("ce-id");
            String sent = exchange.getRequestHeaders().getFirst("ce-sentnanos");
            if (sent != null) {
                int i = latencyCount.getAndIncrement();
                if (i < latencies.length()) {
                    latencies.set(i, System.nanoTime() - Long.parseLong(sent));
                }
            }
            received.add(id);
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static HttpRequest event(URI target, String id) {
        return event(target, id, "bench.event");
    }

    private static HttpRequest event(URI target, String id, String type) {
        return HttpRequest.newBuilder(target).header("ce-specversion", "1.0").header("ce-id", id)
                .header("ce-type", type).header("ce-source", "bench")
                .header("ce-sentnanos", Long.toString(System.nanoTime())).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build();
    }

    /** Posts {@code count} events from {@code CONCURRENCY} threads; returns the events per second acknowledged. */
    private static double blast(HttpClient http, URI target, String prefix, int count, Set<String> acked)
            throws Exception {
        return blast(http, target, prefix, count, acked, "bench.event");
    }

    private static double blast(HttpClient http, URI target, String prefix, int count, Set<String> acked,
            String type) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        var producers = Executors.newFixedThreadPool(CONCURRENCY);
        long start = System.nanoTime();
        for (int t = 0; t < CONCURRENCY; t++) {
            producers.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    String id = prefix + i;
                    try {
                        HttpResponse<Void> r = http.send(event(target, id, type),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() / 100 == 2) {
                            acked.add(id);
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            });
        }
        producers.shutdown();
        producers.awaitTermination(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(failures.get()).as("refused posts").isZero();
        return count / seconds;
    }

    /**
     * Offers {@code rate} events/s for a few seconds from paced senders (open loop: a late answer does not delay
     * the next send) and returns the ingress-to-subscriber latency percentiles.
     */
    private String latency(HttpClient http, URI ingress, int rate) throws Exception {
        received.clear();
        int total = rate * LATENCY_SECONDS;
        latencies = new AtomicLongArray(total);
        latencyCount.set(0);
        AtomicInteger refused = new AtomicInteger();
        var senders = Executors.newFixedThreadPool(CONCURRENCY * 4);
        long begin = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < total; i++) {
            int n = i;
            long due = begin + (long) i * 1_000_000_000L / rate;
            senders.submit(() -> {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                try {
                    if (http.send(event(ingress, "paced-" + rate + "-" + n), HttpResponse.BodyHandlers.discarding())
                            .statusCode() / 100 != 2) {
                        refused.incrementAndGet();
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                }
                return null;
            });
        }
        senders.shutdown();
        senders.awaitTermination(5, TimeUnit.MINUTES);
        double offered = total / ((System.nanoTime() - begin) / 1e9);
        await().atMost(Duration.ofMinutes(2)).until(() -> latencyCount.get() + refused.get() >= total);
        int measured = Math.min(latencyCount.get(), total);
        long[] sorted = new long[measured];
        for (int i = 0; i < measured; i++) {
            sorted[i] = latencies.get(i);
        }
        Arrays.sort(sorted);
        return String.format("latency, %,d events/s asked (%,.0f achieved, %d refused), send -> subscriber: "
                + "p50 %.1f ms, p99 %.1f ms", rate, offered, refused.get(), sorted[measured / 2] / 1e6,
                sorted[(int) (measured * 0.99)] / 1e6);
    }

    @Test
    void throughputAndLatency() throws Exception {
        HttpServer sub = subscriber();
        URI subscriberUri = URI.create("http://127.0.0.1:" + sub.getAddress().getPort() + "/");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4)).build();
        try (Broker broker = new Broker(dir)) {
            broker.addNamespace("bench");
            broker.setTriggers(List.of(Trigger.onAttributes("all", "bench", Map.of("type", "bench.event"),
                    subscriberUri, new DeliverySpec(5, BackoffPolicy.EXPONENTIAL, Duration.ofMillis(50),
                            Duration.ofSeconds(30), null))));
            broker.start();
            BrokerIngress ingress = new BrokerIngress(broker, "127.0.0.1", 0).start();
            URI ingressUri = ingress.url("bench");

            // warm-up of both paths, not counted
            blast(http, subscriberUri, "warm-direct-", 10_000, ConcurrentHashMap.newKeySet());
            blast(http, ingressUri, "warm-broker-", 10_000, ConcurrentHashMap.newKeySet());
            await().atMost(Duration.ofMinutes(2)).until(() -> broker.inFlight() == 0);

            received.clear();
            double direct = blast(http, subscriberUri, "direct-", EVENTS, ConcurrentHashMap.newKeySet());

            // ingress alone: an event type no trigger takes, so the figure is parse + log + fsync + answer
            double ingressOnly = blast(http, ingressUri.resolve("/bench/default"), "none-", EVENTS / 2,
                    ConcurrentHashMap.newKeySet(), "bench.unmatched");
            System.out.printf("ingress alone (no trigger matches): %,.0f events/s%n", ingressOnly);

            received.clear();
            Set<String> acked = ConcurrentHashMap.newKeySet();
            long start = System.nanoTime();
            double accepted = blast(http, ingressUri, "broker-", EVENTS, acked);
            await().atMost(Duration.ofMinutes(5)).until(() -> received.size() >= acked.size()
                    && broker.inFlight() == 0);
            double delivered = EVENTS / ((System.nanoTime() - start) / 1e9);
            long lost = acked.stream().filter(id -> !received.contains(id)).count();
            System.out.printf("throughput: direct %,.0f/s, broker accepted %,.0f/s, delivered %,.0f/s, lost %d%n",
                    direct, accepted, delivered, lost);

            String low = latency(http, ingressUri, 1_000);
            String target = latency(http, ingressUri, OFFERED_RATE);

            System.out.println("== embedded broker on loopback, 2 cores, durable log (fsync, group commit) ==");
            System.out.printf("baseline: producer -> subscriber direct     %,10.0f events/s%n", direct);
            System.out.printf("producer -> broker ingress (acknowledged)   %,10.0f events/s%n", accepted);
            System.out.printf("sustained delivered through the broker      %,10.0f events/s  (%d events, lost %d;"
                    + " target >= 10,000)%n", delivered, EVENTS, lost);
            System.out.printf("ratio broker / direct                       %10.2f%n", delivered / direct);
            System.out.println(low);
            System.out.println(target + "  (target p99 <= 20 ms at 5,000/s)");
            assertThat(lost).isZero();
            ingress.close();
        } finally {
            sub.stop(0);
        }
    }
}
