import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Single-row V2 infer requests over loopback against several servers, one after another: a closed loop with 8
 * connections (requests/s, p50, p99) and an open loop at a fixed offered rate (p50, p99 measured from each request's
 * scheduled start, so that a stall counts against the server), then the RSS of each server's processes.
 *
 * java [-Drounds=3] bench/ServingBench.java SECONDS RATE name=URL=PID[,PID...] ...
 * Every server is warmed first; then each round measures every server (the order alternates between rounds), and
 * the medians over the rounds are printed.
 */
public class ServingBench {
    static final String BODY = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,11],\"datatype\":\"FP32\","
            + "\"data\":[[7.0, 0.27, 0.36, 20.7, 0.045, 45, 170, 1.001, 3.0, 0.45, 8.8]]}]}";
    static final int CONNECTIONS = 8;

    record Result(double rps, double p50, double p99, long errors, long count) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        int rate = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(System.getProperty("rounds", "3"));
        List<String[]> targets = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            targets.add(args[i].split("=", 3));
        }
        if (System.getProperty("idle") != null) {
            bursts(targets, seconds, Integer.parseInt(System.getProperty("idle")), rounds);
            return;
        }
        // Warm every server and this JVM's own client first: whatever is measured first must not pay for it.
        for (String[] t : targets) {
            closedLoop(URI.create(t[1]), 3);
        }
        Map<String, List<Result>> closed = new LinkedHashMap<>();
        Map<String, List<Result>> open = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            // rounds alternate the order, so that no server always runs right after the same neighbour
            List<String[]> order = new ArrayList<>(targets);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String[] t : order) {
                closed.computeIfAbsent(t[0], k -> new ArrayList<>()).add(closedLoop(URI.create(t[1]), seconds));
                open.computeIfAbsent(t[0], k -> new ArrayList<>()).add(openLoop(URI.create(t[1]), rate, seconds));
            }
        }
        System.out.printf("medians of %d rounds, %d s each%n", rounds, seconds);
        System.out.printf("%-10s %10s %8s %8s %7s | %12s %8s %8s %7s | %8s%n", "path", "closed r/s", "p50 ms",
                "p99 ms", "errors", "@" + rate + "/s p50", "p99 ms", "ach. r/s", "errors", "RSS MB");
        double baseline = -1;
        Map<String, Double> throughput = new LinkedHashMap<>();
        for (String[] t : targets) {
            Result c = median(closed.get(t[0]));
            Result o = median(open.get(t[0]));
            long rss = 0;
            for (String pid : t[2].split(",")) {
                rss += rssKb(pid);
            }
            System.out.printf("%-10s %10.0f %8.2f %8.2f %7d | %12.2f %8.2f %8.0f %7d | %8.0f%n", t[0], c.rps, c.p50,
                    c.p99, c.errors, o.p50, o.p99, o.rps, o.errors, rss / 1024.0);
            if (t[0].equals("fastapi")) {
                baseline = c.rps;
            }
            throughput.put(t[0], c.rps);
        }
        if (baseline > 0) {
            StringBuilder line = new StringBuilder("closed-loop throughput / fastapi baseline:");
            for (var e : throughput.entrySet()) {
                line.append(String.format(" %s %.2fx", e.getKey(), e.getValue() / baseline));
            }
            System.out.println(line);
        }
    }

    /**
     * Bursts: each target gets {@code seconds} of closed-loop load after {@code idle} seconds without requests, the
     * targets alternating, so what a server does when idle (retire workers, scale down) counts, as it does for an
     * app whose clients come and go. No warm-up: the first burst is part of the figure.
     */
    static void bursts(List<String[]> targets, int seconds, int idle, int rounds) throws InterruptedException {
        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<String[]> order = new ArrayList<>(targets);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String[] t : order) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(idle)); // the idle period is the workload, not a wait
                Result r = closedLoop(URI.create(t[1]), seconds);
                System.out.printf("round %d %-8s %8.0f r/s p50 %.2f ms p99 %.2f ms errors %d%n", round + 1, t[0],
                        r.rps, r.p50, r.p99, r.errors);
                results.computeIfAbsent(t[0], k -> new ArrayList<>()).add(r);
            }
        }
        System.out.printf("bursts: %d s of load with %d connections after %d s idle, medians of %d rounds%n",
                seconds, CONNECTIONS, idle, rounds);
        double baseline = results.containsKey("fastapi") ? median(results.get("fastapi")).rps : -1;
        for (var e : results.entrySet()) {
            Result m = median(e.getValue());
            System.out.printf("%-10s %10.0f r/s  p50 %6.2f ms  p99 %7.2f ms  errors %d%s%n", e.getKey(), m.rps, m.p50,
                    m.p99, m.errors, baseline > 0 ? String.format("  %.2fx the fastapi baseline", m.rps / baseline)
                            : "");
        }
    }

    /** Each figure's median over the rounds; errors summed. */
    static Result median(List<Result> results) {
        return new Result(med(results, Result::rps), med(results, Result::p50), med(results, Result::p99),
                results.stream().mapToLong(Result::errors).sum(), results.stream().mapToLong(Result::count).sum());
    }

    static double med(List<Result> results, java.util.function.ToDoubleFunction<Result> figure) {
        double[] values = results.stream().mapToDouble(figure).sorted().toArray();
        return values[values.length / 2];
    }

    static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static Result closedLoop(URI uri, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<long[]> latencies = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long began = System.nanoTime();
        for (int c = 0; c < CONNECTIONS; c++) {
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            Thread thread = new Thread(() -> {
                HttpClient http = client();
                int n = 0;
                while (System.nanoTime() < end && n < mine.length - 1) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(request(uri), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    mine[++n] = System.nanoTime() - start;
                }
                mine[0] = n;
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - began) / 1e9;
        return summarize(latencies, errors.get(), elapsed);
    }

    static Result openLoop(URI uri, int rate, int seconds) throws InterruptedException {
        int total = rate * seconds;
        long[] latency = new long[total + 1];
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        ThreadLocal<HttpClient> clients = ThreadLocal.withInitial(ServingBench::client);
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int index = i + 1;
            pool.execute(() -> {
                try {
                    HttpResponse<String> r = clients.get().send(request(uri), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        errors.incrementAndGet();
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
                latency[index] = System.nanoTime() - scheduled; // from the scheduled start: stalls count
                done.incrementAndGet();
            });
        }
        pool.shutdown();
        pool.awaitTermination(2, TimeUnit.MINUTES);
        latency[0] = total;
        double elapsed = (System.nanoTime() - start) / 1e9;
        return summarize(List.of(latency), errors.get(), elapsed);
    }

    static Result summarize(List<long[]> all, long errors, double seconds) {
        int count = 0;
        for (long[] l : all) {
            count += (int) l[0];
        }
        long[] merged = new long[count];
        int at = 0;
        for (long[] l : all) {
            System.arraycopy(l, 1, merged, at, (int) l[0]);
            at += (int) l[0];
        }
        Arrays.sort(merged);
        double p50 = count == 0 ? 0 : merged[count / 2] / 1e6;
        double p99 = count == 0 ? 0 : merged[Math.min(count - 1, (int) (count * 0.99))] / 1e6;
        return new Result(count / seconds, p50, p99, errors, count);
    }

    static long rssKb(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            // gone
        }
        return 0;
    }
}
