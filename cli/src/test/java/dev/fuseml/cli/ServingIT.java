package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sklearn path with real Python workers: an idle app scales to zero and its next request starts a worker and is
 * answered; a worker killed with -9 is replaced and the next requests succeed. The orchestrator runs with a short
 * idle timeout (FUSEML_SERVING_IDLE_TIMEOUT) so that scaling to zero happens within the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WINE_ROW = "[[7.0, 0.27, 0.36, 20.7, 0.045, 45, 170, 1.001, 3.0, 0.45, 8.8]]";
    private final HttpClient http = HttpClient.newHttpClient();
    private CliProcess cli;
    private String url;

    @BeforeAll
    void installAndServeWine() throws Exception {
        cli = CliProcess.installed("fuseml-serving", Map.of("FUSEML_SERVING_IDLE_TIMEOUT", "PT3S"));
        CliProcess.Result push = cli.run("push", "wine", CliProcess.repo().resolve("examples/sklearn-wine").toString());
        assertThat(push.exitCode()).as(push.all()).isZero();
        for (JsonNode app : JSON.readTree(cli.run("apps", "-o", "json").out())) {
            url = app.path("url").asText();
        }
    }

    @AfterAll
    void uninstall() throws Exception {
        cli.purge();
    }

    @Test
    @Order(1)
    void anIdleAppScalesToZeroAndItsNextRequestIsAnswered() throws Exception {
        assertThat(predict().statusCode()).isEqualTo(200);
        ProcessHandle orchestrator = ProcessHandle.of(CliConfig.load(cli.config()).pid()).orElseThrow();
        assertThat(workers(orchestrator)).isPositive();
        // idle past the timeout: the app's workers and the environment's warm spare are gone, the port stays
        await().atMost(Duration.ofSeconds(30)).until(() -> workers(orchestrator) == 0);
        long started = System.nanoTime();
        HttpResponse<String> cold = predict();
        long coldMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(cold.statusCode()).as(cold.body()).isEqualTo(200);
        assertThat(JSON.readTree(cold.body()).path("outputs").get(0).path("data").get(0).asDouble())
                .isBetween(3.0, 9.0);
        System.out.println("ServingIT: first request after scale to zero answered in " + coldMillis + " ms");
        assertThat(workers(orchestrator)).isPositive();
    }

    @Test
    @Order(2)
    void aKilledWorkerIsReplacedAndTheNextRequestsSucceed() throws Exception {
        assertThat(predict().statusCode()).isEqualTo(200);
        ProcessHandle orchestrator = ProcessHandle.of(CliConfig.load(cli.config()).pid()).orElseThrow();
        List<ProcessHandle> killed = orchestrator.descendants().filter(ServingIT::isWorker).toList();
        assertThat(killed).isNotEmpty();
        killed.forEach(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(10)).until(() -> killed.stream().noneMatch(ProcessHandle::isAlive));
        // the request that meets the dead worker gets 503 (Retry-After), never a hang; then a new worker answers
        HttpResponse<String> first = predict();
        assertThat(first.statusCode()).as(first.body()).isIn(200, 503);
        if (first.statusCode() == 503) {
            assertThat(first.body()).contains("stopped", "send the request again");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> predict().statusCode() == 200);
        for (int i = 0; i < 20; i++) {
            assertThat(predict().statusCode()).isEqualTo(200);
        }
    }

    @Test
    @Order(3)
    void aSteadyLoadSeesNoErrorThroughAVersionSwitchAndARollback() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.Set<String> versions = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = predict();
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.body());
                        } else {
                            versions.add(JSON.readTree(r.body()).path("model_version").asText());
                            answered.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        try {
            CliProcess.Result v2 = cli.run("push", "wine", CliProcess.repo().resolve("examples/sklearn-wine")
                    .toString(), "-P", "alpha=0.9");
            assertThat(v2.exitCode()).as(v2.all()).isZero();
            CliProcess.Result rollback = cli.run("rollback", "wine");
            assertThat(rollback.exitCode()).as(rollback.all()).isZero();
            assertThat(rollback.out()).contains("Serving version 1 of workspace/wine", "serve");
            assertThat(cli.run("models", "alias", "wine", "champion", "2").exitCode()).isZero();
            CliProcess.Result champion = cli.run("serve", "wine", "--alias", "champion");
            assertThat(champion.exitCode()).as(champion.all()).isZero();
            int before = answered.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() > before + 20);
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join();
            }
        }
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(versions).contains("1", "2");
        JsonNode models = JSON.readTree(cli.run("models", "wine", "-o", "json").out());
        assertThat(models).hasSize(2);
        assertThat(models.get(1).path("replaced").asInt()).as("version 2 replaced version 1").isEqualTo(1);
        assertThat(models.get(1).path("served").asBoolean()).isTrue();
        assertThat(models.get(1).path("aliases").toString()).contains("champion");
        JsonNode runs = JSON.readTree(cli.run("runs", "wine", "-o", "json").out());
        assertThat(runs).as("the push, its re-push, the rollback and the serve by alias: runs of their own")
                .hasSizeGreaterThanOrEqualTo(4);
        CliProcess.Result nothing = cli.run("serve", "wine", "--alias", "nobody");
        assertThat(nothing.exitCode()).isEqualTo(1);
        assertThat(nothing.err()).contains("has no alias 'nobody'");
    }

    private static boolean isWorker(ProcessHandle h) {
        return h.info().arguments().map(List::of).orElse(List.of()).stream()
                .anyMatch(a -> a.endsWith("fuseml_worker.py"));
    }

    private static long workers(ProcessHandle orchestrator) {
        return orchestrator.descendants().filter(ServingIT::isWorker).count();
    }

    private HttpResponse<String> predict() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,11],"
                        + "\"datatype\":\"FP32\",\"data\":" + WINE_ROW + "}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
