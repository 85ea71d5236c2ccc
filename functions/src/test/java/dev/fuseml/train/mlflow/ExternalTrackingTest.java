package dev.fuseml.train.mlflow;

import dev.fuseml.auth.AuthProfile;
import dev.fuseml.extension.ToolAccess;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;
import dev.fuseml.train.Tracking;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A training's MLflow run on a team's own MLflow server: this test's orchestrator stands in for that server (its
 * MLflow API, with an org token as the extension's credentials), and the client is the one the train step uses.
 * What the training's code would send is sent here as MLflow's clients send it.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class ExternalTrackingTest {
    /** This test's orchestrator, standing in for the team's MLflow server. */
    private static String server() {
        return "http://127.0.0.1:" + io.restassured.RestAssured.port;
    }

    @TempDir
    Path dir;
    private static String org;
    private static String token;

    @BeforeEach
    void anOrgOnTheServer() {
        if (token != null) {
            return;
        }
        org = "team-" + UUID.randomUUID().toString().substring(0, 6);
        as(AuthProfile.ADMIN).body(Map.of("name", org)).post("/api/v1/orgs").then().statusCode(201);
        token = as(AuthProfile.ADMIN).body(Map.of("org", org, "description", "mlflow extension"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    private static RequestSpecification as(String bearer) {
        return given().header("Authorization", "Bearer " + bearer).contentType(ContentType.JSON);
    }

    private ExternalTracking tracking(Map<String, String> credentials, String experiment) {
        return new ExternalTracking(new MlflowServer(new ToolAccess.Grant("team-mlflow", "mlflow",
                server(), credentials), HttpClient.newHttpClient(), Duration.ofSeconds(30)), experiment);
    }

    /** As MLflow 2.x's client logs: params, metrics, the model's files through the artifact proxy, runs/log-model. */
    private static void codeLogs(Tracking.Started run, String bearer, String artifactRoot) {
        as(bearer).body(Map.of("run_id", run.runId(), "key", "alpha", "value", "0.3"))
                .post("/api/2.0/mlflow/runs/log-parameter").then().statusCode(200);
        for (int step = 0; step < 3; step++) {
            as(bearer).body(Map.of("run_id", run.runId(), "key", "rmse", "value", 0.9 - step * 0.1, "timestamp",
                    1_700_000_000_000L + step, "step", step)).post("/api/2.0/mlflow/runs/log-metric").then()
                    .statusCode(200);
        }
        String path = artifactRoot.replaceFirst("^mlflow-artifacts:/+", "");
        given().header("Authorization", "Bearer " + bearer).body("flavors:\n  sklearn: {pickled_model: model.pkl}\n")
                .put("/api/2.0/mlflow-artifacts/artifacts/" + path + "/model/MLmodel").then().statusCode(200);
        given().header("Authorization", "Bearer " + bearer).body(new byte[]{1, 2, 3})
                .put("/api/2.0/mlflow-artifacts/artifacts/" + path + "/model/data/model.pkl").then().statusCode(200);
        as(bearer).body(Map.of("run_id", run.runId(), "model_json", "{\"artifact_path\": \"model\", \"flavors\": "
                + "{\"sklearn\": {}}}")).post("/api/2.0/mlflow/runs/log-model").then().statusCode(200);
    }

    @Test
    void theRunIsMadeOnTheServerAndItsMetricsAndModelComeFromIt() throws Exception {
        ExternalTracking tracking = tracking(Map.of("token", token), org + "/wine");
        RunRef ref = new RunRef("workspace", "wine", "wine-7");
        Tracking.Started run = tracking.start(ref);
        assertThat(run.trackingUri()).isEqualTo(server());
        assertThat(tracking.environment(run)).containsEntry("MLFLOW_RUN_ID", run.runId())
                .containsEntry("MLFLOW_EXPERIMENT_ID", run.experimentId()).containsEntry("MLFLOW_TRACKING_TOKEN", token)
                .containsEntry("MLFLOW_TRACKING_URI", run.trackingUri());
        String artifactRoot = as(token).queryParam("run_id", run.runId()).get("/api/2.0/mlflow/runs/get").then()
                .statusCode(200).extract().path("run.info.artifact_uri");

        codeLogs(run, token, artifactRoot);
        Tracking.Ended ended = tracking.end(run, true);

        assertThat(ended.params()).containsEntry("alpha", "0.3");
        assertThat(ended.metrics()).as("the last value logged").containsEntry("rmse", 0.7);
        as(token).queryParam("run_id", run.runId()).get("/api/2.0/mlflow/runs/get").then().statusCode(200)
                .body("run.info.status", equalTo("FINISHED"))
                .body("run.info.experiment_id", equalTo(run.experimentId()));
        List<ExternalTracking.LoggedModel> logged = tracking.logged(run);
        ExternalTracking.LoggedModel model = tracking.choose(logged, null);
        assertThat(model.name()).isEqualTo("model");
        tracking.download(model, dir.resolve("model"));
        assertThat(dir.resolve("model/MLmodel")).content().contains("sklearn");
        assertThat(Files.readAllBytes(dir.resolve("model/data/model.pkl"))).containsExactly(1, 2, 3);

        ExternalTracking.Registration registration = tracking.register("wine", run, model);
        assertThat(registration.version()).as("FuseML's registry takes versions from its own chain only").isNull();
        assertThat(registration.refusal()).isNotBlank();

        Tracking.Started second = tracking.start(new RunRef("workspace", "wine", "wine-8"));
        assertThat(second.experimentId()).as("the experiment is found again by name").isEqualTo(run.experimentId());
        assertThat(second.runId()).isNotEqualTo(run.runId());
        tracking.end(second, false);
        as(token).queryParam("run_id", second.runId()).get("/api/2.0/mlflow/runs/get").then()
                .body("run.info.status", equalTo("FAILED"));
        assertThatThrownBy(() -> tracking.choose(tracking.logged(second), null)).isInstanceOf(StepFailure.class)
                .hasMessageContaining("wrote no model");
    }

    @Test
    void wrongCredentialsAServerThatIsDownAndArtifactsOutsideTheProxyFailNamingTheFix() throws Exception {
        assertThatThrownBy(() -> tracking(Map.of("token", "not-a-token"), org + "/wine")
                .start(new RunRef("workspace", "wine", "wine-1"))).isInstanceOf(StepFailure.class)
                .hasMessageContaining("MLflow server team-mlflow refused").hasMessageContaining("credentials")
                .hasMessageNotContaining("not-a-token");
        int closed;
        try (var socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThatThrownBy(() -> new ExternalTracking(new MlflowServer(new ToolAccess.Grant("gone", "mlflow",
                "http://127.0.0.1:" + closed, Map.of()), HttpClient.newHttpClient(), Duration.ofSeconds(5)), "x/y")
                .start(new RunRef("workspace", "wine", "wine-1"))).isInstanceOf(StepFailure.class)
                .hasMessageContaining("did not answer").hasMessageContaining("fuseml extensions add gone");
        assertThat(ExternalTracking.proxyPath("mlflow-artifacts://host:5000/1/abc/artifacts/model"))
                .isEqualTo("1/abc/artifacts/model");
        assertThat(ExternalTracking.proxyPath("mlflow-artifacts:/1/abc/artifacts")).isEqualTo("1/abc/artifacts");
        assertThatThrownBy(() -> ExternalTracking.proxyPath("s3://bucket/1/abc/artifacts"))
                .hasMessageContaining("--serve-artifacts");
        assertThatThrownBy(() -> ExternalTracking.proxyPath("mlflow-artifacts:/1/../../etc"))
                .hasMessageContaining("names no artifact path");
    }

    @jakarta.inject.Inject
    dev.fuseml.run.RunStore runs;

    @jakarta.inject.Inject
    dev.fuseml.auth.Authenticator auth;

    /**
     * A training Job tracked on the team's server asks the control plane to end its run there: with the org's
     * credentials (the Job's run token reaches nothing of the team's server), the model it logged is copied to the
     * run's model artifact, its metrics and params answered. This orchestrator is the team's server too.
     */
    @Test
    void theControlPlaneEndsAJobsRunOnTheTeamsServerAndStoresItsModelAsTheRunsModel() throws Exception {
        as(AuthProfile.ADMIN).body(Map.of("name", "team-mlflow", "kind", "mlflow", "url", server(), "credentials",
                Map.of("token", token))).post("/api/v1/orgs/" + org + "/extensions").then().statusCode(201);
        String fusemlRun = "wine-" + org; // the test data dir outlives a run of the tests: a run id of this one
        runs.update(fusemlRun, () -> dev.fuseml.run.Run.start(fusemlRun, org, "wine"), r -> r);
        ExternalTracking tracking = tracking(Map.of("token", token), org + "/wine-jobs");
        Tracking.Started run = tracking.start(new RunRef(org, "wine", fusemlRun));
        String artifactRoot = as(token).queryParam("run_id", run.runId()).get("/api/2.0/mlflow/runs/get").then()
                .statusCode(200).extract().path("run.info.artifact_uri");
        codeLogs(run, token, artifactRoot);
        String jobToken = dev.fuseml.eventing.Tokens.forRun(auth.systemToken(), new dev.fuseml.eventing.Tokens
                .RunClaim(org, "wine", fusemlRun, java.time.Instant.now().plusSeconds(600).getEpochSecond()));

        as(jobToken).body(Map.of("status", "FINISHED", "adoptModel", true, "teamServer", "team-mlflow",
                "mlflowRunId", run.runId(), "experimentId", run.experimentId()))
                .post("/api/v1/runs/" + fusemlRun + "/tracking/end").then().statusCode(200)
                .body("modelUri", equalTo("fuseml-artifacts:/" + org + "/wine/" + fusemlRun + "/model"))
                .body("metrics.rmse", equalTo(0.7f)).body("params.alpha", equalTo("0.3"));
        as(AuthProfile.ADMIN).get("/api/v1/artifacts/" + org + "/wine/" + fusemlRun + "/model/data/model.pkl")
                .then().statusCode(200);
        as(token).queryParam("run_id", run.runId()).get("/api/2.0/mlflow/runs/get").then()
                .body("run.info.status", equalTo("FINISHED"));

        as(jobToken).body(Map.of("status", "FINISHED", "adoptModel", true, "teamServer", "nowhere",
                "mlflowRunId", run.runId(), "experimentId", run.experimentId()))
                .post("/api/v1/runs/" + fusemlRun + "/tracking/end").then().statusCode(422)
                .body("error", containsString("fuseml extensions add nowhere"));
        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("status", "FINISHED", "adoptModel", true, "teamServer", "team-mlflow", "mlflowRunId",
                        "../../runs", "experimentId", run.experimentId()),
                Map.of("status", "FINISHED", "adoptModel", true, "teamServer", "team-mlflow", "mlflowRunId",
                        run.runId()))) {
            as(jobToken).body(bad).post("/api/v1/runs/" + fusemlRun + "/tracking/end").then().statusCode(400)
                    .body("error", containsString("mlflowRunId and experimentId"));
        }
        String otherRun = dev.fuseml.eventing.Tokens.forRun(auth.systemToken(), new dev.fuseml.eventing.Tokens
                .RunClaim(org, "wine", "wine-other-" + org, java.time.Instant.now().plusSeconds(600)
                        .getEpochSecond()));
        as(otherRun).body(Map.of("status", "FINISHED", "adoptModel", true, "teamServer", "team-mlflow",
                "mlflowRunId", run.runId(), "experimentId", run.experimentId()))
                .post("/api/v1/runs/" + fusemlRun + "/tracking/end").then().statusCode(403);
    }
}
