package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
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
 * The scripts the kubernetes platform's pods run, run here for real against a real control plane and broker (the
 * embedded default), with the environment a Job or Knative Service would give them: {@code fuseml_job.py} trains,
 * stores the model through the artifact API, sends its log and posts {@code trained} to the broker, after which
 * the chain registers and serves the new version; {@code fuseml_serve.py} fetches a version's model and answers V2
 * infer requests with the predictions the orchestrator's own server gives. What differs on a cluster (the images,
 * the pods, Knative) is tested against fabric8's mock API server in the functions module.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesRunnersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WINE_ROW = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,11],\"datatype\":\"FP64\","
            + "\"data\":[7.0,0.27,0.36,20.7,0.045,45,170,1.001,3.0,0.45,8.8]}]}";
    private final HttpClient http = HttpClient.newHttpClient();
    private CliProcess cli;
    private CliConfig config;
    private JsonNode version1;
    private Process server;

    @BeforeAll
    void installAndServeWine() throws Exception {
        cli = CliProcess.installed("fuseml-k8s-runners", Map.of());
        CliProcess.Result push = cli.run("push", "wine", example().toString());
        assertThat(push.exitCode()).as(push.all()).isZero();
        config = CliConfig.load(cli.config());
        version1 = get("/api/v1/orgs/workspace/apps/wine/models").get(0);
    }

    @AfterAll
    void uninstall() throws Exception {
        if (server != null) {
            server.destroyForcibly();
        }
        cli.purge();
    }

    /** fuseml_job.py as a Job's container runs it: in the code's directory, with the Job's variables. */
    private ProcessBuilder job(String run, Path work, Path code, Map<String, String> more) throws Exception {
        String broker = get("/api/v1/status").path("brokers").path("workspace").asText();
        Map<String, Object> base = Map.of("repository", version1.path("repository").asText(), "commit",
                version1.path("commit").asText(), "params", Map.of("alpha", "0.4", "l1_ratio", "0.1"),
                "environment", version1.path("environment").asText());
        ProcessBuilder job = new ProcessBuilder(python().toString(), runner("fuseml_job.py").toString(), "--",
                "bash", "-c", "python train.py 0.4 0.1").directory(code.toFile()).redirectErrorStream(true);
        Map<String, String> env = job.environment();
        // as in the environment image: its Python is the one on PATH
        env.put("PATH", python().getParent() + ":" + System.getenv("PATH"));
        env.put("FUSEML_CONTROL_PLANE", config.server());
        env.put("FUSEML_TOKEN", config.token());
        env.put("K_SINK", broker);
        env.put("FUSEML_ORG", "workspace");
        env.put("FUSEML_APP", "wine");
        env.put("FUSEML_RUN_ID", run);
        env.put("FUSEML_MODEL_URI", "fuseml-artifacts:/workspace/wine/" + run + "/model");
        env.put("FUSEML_MODEL_DIR", work.resolve("model").toString());
        env.put("FUSEML_METRICS_FILE", work.resolve("metrics.json").toString());
        env.put("FUSEML_TRAINED_BASE", JSON.writeValueAsString(base));
        env.putAll(more);
        return job;
    }

    @Test
    void theTrainingJobsRunnerStoresTheModelAndItsTrainedEventCarriesTheRunToServed() throws Exception {
        String run = "wine-k8s-job-1";
        Path work = Files.createDirectories(cli.home().resolve("job"));
        Path code = copy(example(), work.resolve("code"));
        ProcessBuilder job = job(run, work, code, Map.of());
        Process process = job.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
        assertThat(output).as("the token is the runner's, not the user code's").doesNotContain(config.token());

        await().atMost(Duration.ofMinutes(3)).until(() -> List.of("succeeded", "failed").contains(
                get("/api/v1/runs/" + run).path("status").asText()));
        JsonNode finished = get("/api/v1/runs/" + run);
        assertThat(finished.path("status").asText()).as(finished.toString()).isEqualTo("succeeded");
        assertThat(finished.path("version").asInt()).isEqualTo(2);
        JsonNode version2 = get("/api/v1/orgs/workspace/apps/wine/models").get(1);
        assertThat(version2.path("metrics").has("rmse")).as(version2.toString()).isTrue();
        assertThat(version2.path("params").path("alpha").asText()).isEqualTo("0.4");
        String log = cli.run("logs", "wine", "--run", run).out();
        assertThat(log).contains("[train] running in pod", "model stored at", "[register]", "[serve]");
    }

    /**
     * A DVC project's Job: the runner writes the remote from the run's Secret as DVC's local config, runs the
     * environment's dvc pull (a fake here: dvc is not on this machine's package mirror) before the entry point, and
     * removes the config; a failing pull fails the run naming the remote and the fix.
     */
    @Test
    void theTrainingJobsRunnerPullsTheDataOfADvcProjectFirstAndAFailedPullFailsTheRun() throws Exception {
        String config = "[core]\n    remote = team-data\n['remote \"team-data\"']\n    url = \"s3://team/dvc\"\n"
                + "    secret_access_key = \"dvc-secret-7\"\n";
        for (String exit : new String[]{"0", "3"}) {
            String run = "wine-k8s-dvc-" + exit;
            Path work = Files.createDirectories(cli.home().resolve("job-dvc-" + exit));
            Path code = copy(example(), work.resolve("code"));
            Files.createDirectories(code.resolve(".dvc"));
            Path bin = Files.createDirectories(work.resolve("bin"));
            Path dvc = Files.writeString(bin.resolve("dvc"), "#!/bin/sh\necho \"$@\" > ../dvc-args\n"
                    + "cat .dvc/config.local > ../dvc-config\nstat -c %a .dvc/config.local >> ../dvc-args\n"
                    + "env | grep -c FUSEML_DVC_CONFIG >> ../dvc-args\necho 'fetched 1 file'\n"
                    + "[ " + exit + " = 0 ] || echo 'ERROR: failed to pull data from the cloud'\nexit " + exit + "\n");
            Files.setPosixFilePermissions(dvc, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            ProcessBuilder job = job(run, work, code, Map.of("FUSEML_DVC_REMOTE", "team-data",
                    "FUSEML_DVC_CONFIG", config));
            job.environment().put("PATH", bin + ":" + job.environment().get("PATH"));
            Process process = job.start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor()).as(output).isEqualTo(exit.equals("0") ? 0 : 1);

            assertThat(Files.readString(work.resolve("dvc-args"))).as("pull from the remote; only its owner reads the "
                    + "config; dvc's own environment has no copy of it").isEqualTo("pull --remote team-data\n600\n0\n");
            assertThat(Files.readString(work.resolve("dvc-config"))).isEqualTo(config);
            assertThat(code.resolve(".dvc/config.local")).doesNotExist();
            assertThat(output).doesNotContain("dvc-secret-7");
            await().atMost(Duration.ofMinutes(3)).until(() -> List.of("succeeded", "failed").contains(
                    get("/api/v1/runs/" + run).path("status").asText()));
            JsonNode finished = get("/api/v1/runs/" + run);
            String log = cli.run("logs", "wine", "--run", run).out();
            assertThat(log).contains("pulling the data DVC pins from dvc-remote extension team-data", "fetched 1 file")
                    .doesNotContain("dvc-secret-7");
            if (exit.equals("0")) {
                assertThat(finished.path("status").asText()).as(finished.toString()).isEqualTo("succeeded");
            } else {
                assertThat(finished.path("status").asText()).isEqualTo("failed");
                assertThat(finished.path("cause").asText()).contains("dvc pull from dvc-remote extension team-data "
                        + "exited with code 3", "ERROR: failed to pull data", "fuseml extensions add team-data");
                assertThat(log).doesNotContain("the training process ran");
            }
        }
    }

    @Test
    void theModelServersScriptAnswersV2InferWithTheOrchestratorsPredictions() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder serve = new ProcessBuilder(python().toString(), runner("fuseml_serve.py").toString())
                .redirectErrorStream(true).redirectOutput(cli.home().resolve("serve.log").toFile());
        Map<String, String> env = serve.environment();
        env.put("FUSEML_CONTROL_PLANE", config.server());
        env.put("FUSEML_TOKEN", config.token());
        env.put("FUSEML_MODEL_URI", version1.path("uri").asText());
        env.put("FUSEML_MODEL_NAME", "wine");
        env.put("FUSEML_MODEL_DIR", cli.home().resolve("served-model").toString());
        env.put("FUSEML_HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(port));
        server = serve.start();
        String base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> send("GET", base + "/v2/health/ready", null).statusCode() == 200);

        HttpResponse<String> answer = send("POST", base + "/v2/models/wine/infer", WINE_ROW);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String served = null;
        for (JsonNode app : JSON.readTree(cli.run("apps", "-o", "json").out())) {
            served = app.path("url").asText();
        }
        HttpResponse<String> orchestrator = send("POST", served, WINE_ROW);
        double expected = JSON.readTree(orchestrator.body()).path("outputs").get(0).path("data").get(0).asDouble();
        assertThat(JSON.readTree(answer.body()).path("outputs").get(0).path("data").get(0).asDouble())
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));

        HttpResponse<String> bad = send("POST", base + "/v2/models/wine/infer", "{\"inputs\": 3}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").asText()).contains("inputs");
        assertThat(send("POST", base + "/v2/models/wine/infer", "not json").statusCode()).isEqualTo(400);
    }

    /** The Python of the environment version 1 was trained in, as the environment image would have it. */
    private Path python() throws IOException {
        try (Stream<Path> all = Files.walk(cli.home().resolve("data"), 6)) {
            return all.filter(p -> p.endsWith(Path.of("bin", "python")) && p.toString().contains("/envs/"))
                    .findFirst().orElseThrow();
        }
    }

    private static Path runner(String script) {
        return CliProcess.repo().resolve("functions/src/main/resources/kubernetes").resolve(script);
    }

    private static Path example() {
        return CliProcess.repo().resolve("examples/sklearn-wine");
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        return to;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send("GET", config.server() + path, null);
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
    }

    private HttpResponse<String> send(String method, String url, String body) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer "
                + config.token()).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
