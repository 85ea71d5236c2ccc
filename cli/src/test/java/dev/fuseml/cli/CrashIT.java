package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the embedded orchestrator during each of the five steps, then {@code fuseml install} again: every run
 * completes, with exactly one model version, and nothing the killed orchestrator started (training, pip, prediction
 * workers) outlives it, so a resumed step never runs beside its earlier attempt. For receive, build, register and
 * serve the orchestrator is started with {@code FUSEML_FAULT_PAUSE}, which holds that step between its work and the
 * recording of its result (the worst moment for a crash); for train it is killed while the training process runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path home;
    private CliProcess cli;
    private Path project;

    @BeforeAll
    void install() throws Exception {
        cli = CliProcess.installed("fuseml-crash", Map.of("FUSEML_FAULT_PAUSE", "receive=PT8S"));
        home = cli.home();
        project = slowExample();
    }

    @AfterAll
    void uninstall() throws Exception {
        cli.purge();
    }

    @ParameterizedTest(name = "kill -9 during {0}")
    @Order(1)
    @ValueSource(strings = {"receive", "build", "train", "register", "serve"})
    void aRunKilledDuringAStepCompletesAfterRestartWithOneVersion(String step) throws Exception {
        String app = "crash-" + step;
        CliProcess.Result push = cli.run("push", app, project.toString(), "--no-follow");
        assertThat(push.exitCode()).as(push.all()).isZero();
        String run = push.out().replaceAll("(?s).*run (\\S+).*", "$1").trim();
        long pid = CliConfig.load(cli.config()).pid();
        ProcessHandle orchestrator = ProcessHandle.of(pid).orElseThrow();

        await().atMost(Duration.ofMinutes(4)).until(() -> running(run, step)
                && (!step.equals("train") || training(orchestrator, run)));
        List<ProcessHandle> children = orchestrator.descendants().toList();
        orchestrator.destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !orchestrator.isAlive());
        // Training, pip and prediction workers die with it: nothing of the old attempt runs beside the new one.
        await().atMost(Duration.ofSeconds(30)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));

        String next = next(step);
        CliProcess.Result install = cli.run(next == null ? Map.of() : Map.of("FUSEML_FAULT_PAUSE", next + "=PT8S"),
                "install");
        assertThat(install.exitCode()).as(install.all()).isZero();
        await().atMost(Duration.ofMinutes(4)).until(() -> "succeeded".equals(get("/api/v1/runs/" + run)
                .path("status").asText()) || "failed".equals(get("/api/v1/runs/" + run).path("status").asText()));
        JsonNode finished = get("/api/v1/runs/" + run);
        assertThat(finished.path("status").asText()).as(finished.toString()).isEqualTo("succeeded");
        JsonNode versions = get("/api/v1/orgs/workspace/apps/" + app + "/models");
        assertThat(versions).as("exactly one version of " + app + ": " + versions).hasSize(1);
        String log = cli.run("logs", app).out();
        assertThat(log).contains(step);
    }

    /**
     * A short step that takes longer than the broker waits for its answer (the broker tries again while the work
     * goes on) still ends served, with its work done once: the second delivery is answered with the first one's
     * result instead of an empty acknowledgement that would leave the run waiting forever.
     */
    @org.junit.jupiter.api.Test
    @Order(2)
    void aShortStepSlowerThanTheBrokersPatienceStillEndsServedOnce() throws Exception {
        assertThat(cli.run("uninstall").exitCode()).isZero();
        CliProcess.Result install = cli.run(Map.of("FUSEML_DELIVERY_TIMEOUT", "PT3S", "FUSEML_FAULT_PAUSE",
                "receive=PT5S"), "install");
        assertThat(install.exitCode()).as(install.all()).isZero();
        CliProcess.Result push = cli.run("push", "slow-receive", project.toString(), "--timeout", "PT4M");
        assertThat(push.exitCode()).as(push.all() + cli.orchestratorLogTail(60)).isZero();
        assertThat(push.out()).contains("is served in");
        String log = cli.run("logs", "slow-receive").out();
        assertThat(log.lines().filter(l -> l.contains("[receive] started"))).as(log).hasSize(1);
        assertThat(log).contains("[receive] pausing PT5S");
    }

    /** The step whose pause the next start gets, so that each case finds its step held. */
    private static String next(String step) {
        return switch (step) {
            case "receive" -> "build";
            case "build" -> null; // train is caught while its process runs, without a pause
            case "train" -> "register";
            case "register" -> "serve";
            default -> null;
        };
    }

    private boolean running(String run, String step) throws IOException, InterruptedException {
        for (JsonNode s : get("/api/v1/runs/" + run).path("steps")) {
            if (step.equals(s.path("name").asText()) && "running".equals(s.path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the run's training process runs: the process the train step recorded in its pid file (a Python script
     * runs in an interpreter that may have been started ahead, so its command line does not name the script), alive
     * and the orchestrator's.
     */
    private boolean training(ProcessHandle orchestrator, String run) {
        Path pidFile = home.resolve("data/fuseml/work").resolve(run).resolve("train.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]);
            return orchestrator.descendants().anyMatch(h -> h.pid() == pid && h.isAlive());
        } catch (IOException | RuntimeException notYet) {
            return false;
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        CliConfig config = CliConfig.load(cli.config());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(config.server() + path))
                .header("Authorization", "Bearer " + config.token()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
    }

    /** The wine example with a training that takes a few seconds longer: time enough to kill it. */
    private Path slowExample() throws IOException {
        Path example = CliProcess.repo().resolve("examples/sklearn-wine");
        Path dir = Files.createDirectories(home.resolve("slow-wine"));
        try (Stream<Path> files = Files.list(example)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        Files.writeString(dir.resolve("train.py"), "import time\ntime.sleep(6)\n"
                + Files.readString(example.resolve("train.py")));
        return dir;
    }
}
