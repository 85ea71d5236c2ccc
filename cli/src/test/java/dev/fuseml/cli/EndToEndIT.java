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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The main job through the real CLI jar against a real orchestrator process: push, train, register, serve,
 * predict, push again, break things, crash the orchestrator, delete.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WINE_ROW = "[[7.0, 0.27, 0.36, 20.7, 0.045, 45, 170, 1.001, 3.0, 0.45, 8.8]]";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path home;
    private CliProcess cli;
    private String wineUrl;

    @BeforeAll
    void install() throws Exception {
        home = Files.createTempDirectory("fuseml-e2e");
        cli = new CliProcess(home);
        CliProcess.Result result = cli.run("install");
        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("FuseML is running at http://127.0.0.1:");
        CliProcess.Result again = cli.run("install");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("already running");
    }

    @AfterAll
    void uninstall() throws Exception {
        CliProcess.Result result = cli.run("uninstall", "--purge");
        assertThat(result.exitCode()).as(result.all()).isZero();
        try (Stream<Path> all = Files.walk(home)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Order(1)
    void pushTrainsRegistersAndServesTheWineExample() throws Exception {
        CliProcess.Result push = cli.run("push", "wine", example().toString());
        assertThat(push.exitCode()).as(push.all()).isZero();
        assertThat(push.out()).contains("receive", "build", "train", "register", "serve", "Version 1 of wine");

        JsonNode apps = JSON.readTree(cli.run("apps", "-o", "json").out());
        assertThat(apps).hasSize(1);
        assertThat(apps.get(0).path("version").asInt()).isEqualTo(1);
        wineUrl = apps.get(0).path("url").asText();
        assertThat(push.out()).contains(wineUrl);

        JsonNode prediction = predictV2(wineUrl);
        assertThat(prediction.path("model_version").asText()).isEqualTo("1");
        double quality = prediction.path("outputs").get(0).path("data").get(0).asDouble();
        assertThat(quality).isBetween(3.0, 9.0);
    }

    @Test
    @Order(2)
    void rePushWithAParameterServesVersionTwoAtTheSameUrl() throws Exception {
        CliProcess.Result push = cli.run("push", "wine", example().toString(), "-P", "alpha=0.9");
        assertThat(push.exitCode()).as(push.all()).isZero();
        JsonNode app = app("wine");
        assertThat(app.path("version").asInt()).isEqualTo(2);
        assertThat(app.path("url").asText()).isEqualTo(wineUrl);
        assertThat(predictV2(wineUrl).path("model_version").asText()).isEqualTo("2");

        JsonNode runs = JSON.readTree(cli.run("runs", "wine", "-o", "json").out());
        assertThat(runs.get(0).path("params").path("alpha").asText()).isEqualTo("0.9");
        assertThat(runs.get(1).path("params").path("alpha").asText()).isEqualTo("0.5");
    }

    @Test
    @Order(3)
    void statusTriggersAndEventsShowTheChain() throws Exception {
        JsonNode status = JSON.readTree(cli.run("status", "-o", "json").out());
        assertThat(status.path("url").asText()).startsWith("http://127.0.0.1:");
        assertThat(status.path("pid").asLong()).isPositive();
        assertThat(status.path("brokers").path("workspace").asText()).endsWith("/workspace/default");

        CliProcess.Result apply = cli.run("triggers", "apply",
                CliProcess.repo().resolve("examples/triggers/audit.yaml").toString());
        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(apply.out()).contains("trigger.eventing.knative.dev/audit-wine in workspace created");
        JsonNode triggers = JSON.readTree(cli.run("triggers", "-o", "json").out());
        assertThat(triggers.findValuesAsText("name")).contains("fuseml-train", "audit-wine");

        Path bad = Files.writeString(home.resolve("bad.yaml"), "apiVersion: eventing.knative.dev/v1\n"
                + "kind: Trigger\nmetadata: {name: broken}\nspec: {broker: default, delivery: {retry: many}}\n");
        CliProcess.Result refused = cli.run("triggers", "apply", bad.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("nothing was applied", "Trigger broken",
                "spec.delivery.retry: must be an integer, got the string 'many'");
        assertThat(cli.run("triggers", "delete", "audit-wine").exitCode()).isZero();

        String run = JSON.readTree(cli.run("runs", "wine", "-o", "json").out()).get(0).path("id").asText();
        CliProcess.Result events = cli.run("events", run);
        assertThat(events.exitCode()).as(events.all()).isZero();
        assertThat(events.out()).contains("dev.fuseml.push", "fuseml-receive#1 200", "dev.fuseml.served",
                "succeeded");
    }

    @Test
    @Order(3)
    void aWrongShapeGets400WithAnError() throws Exception {
        HttpResponse<String> response = post(wineUrl, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,11],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("needs 11 values, got 3");
    }

    @Test
    @Order(4)
    void aTrainingErrorFailsTheRunWithThePythonError() throws Exception {
        CliProcess.Result push = cli.run("push", "broken", project("broken-train").toString());
        assertThat(push.exitCode()).as(push.all()).isEqualTo(1);
        assertThat(push.out()).contains("failed at train", "ValueError: the training data has no 'quality' column");
        JsonNode run = JSON.readTree(cli.run("runs", "broken", "-o", "json").out()).get(0);
        assertThat(run.path("status").asText()).isEqualTo("failed");
        assertThat(run.path("cause").asText()).contains("ValueError");
        assertThat(run.path("logExcerpt").asText()).contains("Traceback");
        assertThat(cli.run("logs", "broken").out()).contains("raise ValueError");
    }

    @Test
    @Order(5)
    void aProjectWithoutEntryPointIsRefusedAtReceive() throws Exception {
        CliProcess.Result push = cli.run("push", "empty", project("no-entry-point").toString());
        assertThat(push.exitCode()).as(push.all()).isEqualTo(1);
        assertThat(push.out()).contains("failed at receive", "no entry point", "MLproject", "train.py");
    }

    @Test
    @Order(6)
    void anInvalidAppNameIsRefusedWithTheRule() throws Exception {
        CliProcess.Result push = cli.run("push", "Wine_Quality", example().toString());
        assertThat(push.exitCode()).isEqualTo(2);
        assertThat(push.err()).contains("invalid app name 'Wine_Quality'", "DNS-1123");
    }

    @Test
    @Order(7)
    void aMalformedCloudEventAtTheIngressGets400() throws Exception {
        String ingress = status().path("brokers").path("workspace").asText();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ingress)).header(
                "Authorization", bearer()).header("ce-specversion", "1.0").header("ce-type", "dev.fuseml.push")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).containsIgnoringCase("id");
    }

    @Test
    @Order(7)
    void theOnnxExampleIsServedInTheJvmAndPredictsWhatSklearnPredicted() throws Exception {
        CliProcess.Result push = cli.run("push", "onnx-wine", CliProcess.repo().resolve("examples/onnx-wine")
                .toString());
        assertThat(push.exitCode()).as(push.all()).isZero();
        JsonNode app = app("onnx-wine");
        String url = app.path("url").asText();
        double served = predictV2(url).path("outputs").get(0).path("data").get(0).asDouble();
        HttpResponse<String> versions = http.send(HttpRequest.newBuilder(URI.create(serverUrl()
                + "/api/v1/orgs/workspace/apps/onnx-wine/models")).header("Authorization", bearer()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        double sklearn = JSON.readTree(versions.body()).get(0).path("metrics").path("reference_prediction")
                .asDouble();
        assertThat(sklearn).as(versions.body()).isBetween(3.0, 9.0);
        assertThat(served).as("float32 in ONNX Runtime vs float64 in sklearn").isCloseTo(sklearn,
                org.assertj.core.api.Assertions.within(1e-4));
        // the metadata names the runtime that answers: ONNX Runtime in the orchestrator's JVM
        HttpResponse<String> meta = http.send(HttpRequest.newBuilder(URI.create(url.replace("/infer", "")))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(meta.body()).path("platform").asText()).as(meta.body()).isEqualTo("onnxruntime_onnx");
        assertThat(cli.run("logs", "onnx-wine").out()).contains("as ONNX");

        // an opt-in prediction token: required as soon as the serve function has it, open again with --off
        CliProcess.Result protect = cli.run("protect", "onnx-wine");
        assertThat(protect.exitCode()).as(protect.all()).isZero();
        String token = protect.out().lines().filter(l -> l.startsWith("fuseml_")).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> post(url, "{}").statusCode() == 401);
        HttpResponse<String> authorized = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,11],"
                        + "\"datatype\":\"FP32\",\"data\":" + WINE_ROW + "}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(authorized.statusCode()).as(authorized.body()).isEqualTo(200);
        assertThat(cli.run("apps").out()).containsPattern("onnx-wine .*required");
        assertThat(cli.run("protect", "onnx-wine", "--off").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> predictV2(url).path("outputs").size() == 1);
    }

    /**
     * A training project that sends, without the mlflow package (not on this machine's package mirror), the requests
     * MLflow 2.x's and 3.x's Python clients send for start_run, log_params, log_metrics, autolog's batches,
     * sklearn.log_model and end_run (src/test/resources/projects/mlflow-replay, built from MLflow's source): the model
     * it logged is served, its metrics are the version's, and MLflow's API shows the run as the client left it.
     */
    @Test
    @Order(7)
    void aProjectLoggingThroughEachMlflowClientGenerationIsServedWithItsMetrics() throws Exception {
        for (String client : new String[]{"2", "3"}) {
            String app = "tracked" + client;
            CliProcess.Result push = cli.run("push", app, project("mlflow-replay").toString(), "-P",
                    "client=" + client);
            assertThat(push.exitCode()).as(push.all()).isZero();
            assertThat(predictV2(app(app).path("url").asText()).path("model_version").asText()).isEqualTo("1");

            JsonNode version = JSON.readTree(cli.run("models", app, "-o", "json").out()).get(0);
            assertThat(version.path("metrics").path("rmse").asDouble()).as(version.toString()).isBetween(0.1, 2.0);
            assertThat(version.path("metrics").has("r2")).isTrue();
            assertThat(version.path("metrics").has("rmse_learning_curve")).isTrue();
            assertThat(version.path("params").path("l1_ratio").asText()).isEqualTo("0.1");
            assertThat(version.path("params").path("client").asText()).isEqualTo(client);

            String run = version.path("run").asText();
            JsonNode runRow = JSON.readTree(cli.run("runs", app, "-o", "json").out()).get(0);
            assertThat(runRow.path("metrics").path("rmse").asDouble()).isEqualTo(version.path("metrics")
                    .path("rmse").asDouble());
            assertThat(runRow.path("params").path("l1_ratio").asText()).isEqualTo("0.1");
            HttpResponse<String> mlflowRun = http.send(HttpRequest.newBuilder(URI.create(serverUrl()
                    + "/api/2.0/mlflow/runs/get?run_id=" + run)).header("Authorization", bearer()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(mlflowRun.statusCode()).as(mlflowRun.body()).isEqualTo(200);
            JsonNode info = JSON.readTree(mlflowRun.body()).path("run").path("info");
            assertThat(info.path("status").asText()).isEqualTo("FINISHED");
            HttpResponse<String> history = http.send(HttpRequest.newBuilder(URI.create(serverUrl()
                    + "/api/2.0/mlflow/metrics/get-history?metric_key=rmse_learning_curve&run_id=" + run))
                    .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(history.body()).path("metrics")).as(history.body()).hasSize(5);
        }
    }

    /**
     * A team's own MLflow tracking server, registered as an extension and named in MLproject's tracking.server:
     * a second orchestrator stands in for it (its MLflow API, an org token of it as the credentials). The training
     * logs there (the replayed MLflow 3 client), and the version's metrics and served model come from there.
     */
    @Test
    @Order(7)
    void aTrainingTrackedOnTheTeamsMlflowServerTakesItsMetricsAndModelFromThere() throws Exception {
        CliProcess team = CliProcess.installed("fuseml-team-mlflow", java.util.Map.of());
        try {
            String teamUrl = CliConfig.load(team.config()).server();
            CliProcess.Result issued = team.run("tokens", "create", "--org", "workspace", "--description", "e2e");
            assertThat(issued.exitCode()).as(issued.all()).isZero();
            String teamToken = issued.out().lines().toList().get(1).strip(); // the line after "Token ID for org ..."
            Path credentials = Files.writeString(home.resolve("team-mlflow.yaml"), "token: " + teamToken + "\n");
            CliProcess.Result added = cli.run("extensions", "add", "team-mlflow", "--kind", "mlflow", "--url", teamUrl,
                    "--credentials-file", credentials.toString());
            assertThat(added.exitCode()).as(added.all()).isZero();

            Path projectDir = home.resolve("tracked-ext");
            try (Stream<Path> files = Files.list(project("mlflow-replay"))) {
                Files.createDirectories(projectDir);
                for (Path f : files.toList()) {
                    Files.copy(f, projectDir.resolve(f.getFileName()));
                }
            }
            Files.writeString(projectDir.resolve("MLproject"), "\ntracking: {server: team-mlflow}\n",
                    java.nio.file.StandardOpenOption.APPEND);
            CliProcess.Result push = cli.run("push", "tracked-ext", projectDir.toString(), "-P", "client=3");
            assertThat(push.exitCode()).as(push.all()).isZero();
            assertThat(predictV2(app("tracked-ext").path("url").asText()).path("model_version").asText())
                    .isEqualTo("1");
            JsonNode version = JSON.readTree(cli.run("models", "tracked-ext", "-o", "json").out()).get(0);
            String run = version.path("run").asText();
            assertThat(cli.run("logs", "tracked-ext", "--run", run).out()).contains("on MLflow server team-mlflow ("
                    + teamUrl + ")", "took model 'model' the run logged on MLflow server team-mlflow")
                    .doesNotContain(teamToken);

            HttpResponse<String> experiment = http.send(HttpRequest.newBuilder(URI.create(teamUrl
                    + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=workspace/tracked-ext"))
                    .header("Authorization", "Bearer " + teamToken).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(experiment.statusCode()).as(experiment.body()).isEqualTo(200);
            HttpResponse<String> runs = http.send(HttpRequest.newBuilder(URI.create(teamUrl
                    + "/api/2.0/mlflow/runs/search")).header("Authorization", "Bearer " + teamToken)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"experiment_ids\": [\"" + JSON.readTree(experiment.body()).path("experiment")
                                    .path("experiment_id").asText() + "\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode teamRun = JSON.readTree(runs.body()).path("runs").get(0);
            assertThat(teamRun.path("info").path("status").asText()).as(runs.body()).isEqualTo("FINISHED");
            double teamRmse = -1;
            for (JsonNode m : teamRun.path("data").path("metrics")) {
                if (m.path("key").asText().equals("rmse")) {
                    teamRmse = m.path("value").asDouble();
                }
            }
            assertThat(version.path("metrics").path("rmse").asDouble()).as("the metric logged on the team's server")
                    .isEqualTo(teamRmse).isBetween(0.1, 2.0);

            HttpResponse<String> own = http.send(HttpRequest.newBuilder(URI.create(serverUrl()
                    + "/api/2.0/mlflow/runs/get?run_id=" + run)).header("Authorization", bearer()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(own.statusCode()).as("no MLflow run on FuseML's own server: " + own.body()).isEqualTo(404);
        } finally {
            team.purge();
        }
    }

    @Test
    @Order(7)
    void installKeepsAnAdminTokenOnlyItsOwnerReadsAndNothingAnswersWithoutIt() throws Exception {
        assertThat(java.nio.file.Files.getPosixFilePermissions(cli.config()))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        HttpResponse<String> apps = http.send(HttpRequest.newBuilder(URI.create(serverUrl()
                + "/api/v1/orgs/workspace/apps")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(apps.statusCode()).isEqualTo(401);
        String ingress = status().path("brokers").path("workspace").asText();
        HttpResponse<String> event = http.send(HttpRequest.newBuilder(URI.create(ingress))
                .header("ce-specversion", "1.0").header("ce-id", "e2e-no-token").header("ce-source", "e2e")
                .header("ce-type", "dev.fuseml.push").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(event.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(cli.run("apps", "-o", "json").out()).isArray()).isTrue();
    }

    @Test
    @Order(8)
    void aRunSurvivesAnOrchestratorCrashBetweenPushAndServed() throws Exception {
        long pid = status().path("pid").asLong();
        CliProcess.Result push = cli.run("push", "wine", example().toString(), "-P", "alpha=0.4", "--no-follow");
        assertThat(push.exitCode()).as(push.all()).isZero();
        String run = push.out().replaceAll("(?s).*run (\\S+).*", "$1").trim();
        String server = status().path("url").asText(serverUrl());
        await().atMost(Duration.ofMinutes(2)).until(() -> runStatus(server, run).path("steps").size() > 0);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty()
                || !ProcessHandle.of(pid).get().isAlive());

        CliProcess.Result install = cli.run("install");
        assertThat(install.exitCode()).as(install.all()).isZero();
        String restarted = serverUrl();
        await().atMost(Duration.ofMinutes(3)).until(() -> runStatus(restarted, run).path("status").asText()
                .equals("succeeded"));
        JsonNode app = app("wine");
        assertThat(app.path("version").asInt()).isEqualTo(3);
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .until(() -> predictV2(app.path("url").asText()).path("model_version").asText().equals("3"));
        wineUrl = app.path("url").asText();
    }

    @Test
    @Order(9)
    void deleteStopsTheServerAndRemovesTheApp() throws Exception {
        CliProcess.Result delete = cli.run("delete", "wine");
        assertThat(delete.exitCode()).as(delete.all()).isZero();
        assertThat(cli.run("apps", "-o", "json").out()).doesNotContain("\"wine\"");
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> predictV2(wineUrl));
        CliProcess.Result again = cli.run("delete", "wine");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("app 'wine' does not exist");
    }

    private JsonNode app(String name) throws Exception {
        for (JsonNode app : JSON.readTree(cli.run("apps", "-o", "json").out())) {
            if (name.equals(app.path("name").asText())) {
                return app;
            }
        }
        throw new AssertionError("fuseml apps does not list " + name);
    }

    private JsonNode predictV2(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = post(url, "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,11],"
                + "\"datatype\":\"FP32\",\"data\":" + WINE_ROW + "}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode runStatus(String server, String run) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/runs/" + run))
                .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
    }

    private String serverUrl() throws IOException {
        return CliConfig.load(cli.config()).server();
    }

    private JsonNode status() throws IOException, InterruptedException {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(serverUrl() + "/api/v1/status"))
                .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The admin token install kept in the config: the API and the broker take nothing without a token. */
    private String bearer() {
        return "Bearer " + CliConfig.load(cli.config()).token();
    }

    private static Path example() {
        return CliProcess.repo().resolve("examples/sklearn-wine");
    }

    private static Path project(String name) {
        return Path.of("src/test/resources/projects", name).toAbsolutePath();
    }
}
