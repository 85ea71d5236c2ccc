package dev.fuseml.mlflow;

import dev.fuseml.auth.AuthProfile;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.eventing.Tokens;
import dev.fuseml.testing.Zips;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * MLflow's REST API 2.0 as its reference documents it (docs/rest-api, {@code mlflow/protos/service.proto}): each
 * endpoint FuseML serves, its answers and its errors, through the running orchestrator with tokens on. Two orgs (one
 * pair per run of the class, as the data dir persists) show the walls between them.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class MlflowRestTest {
    private static final String API = "/api/2.0/mlflow";
    private static String suffix;
    private static String red;
    private static String blue;
    private static String redOrg;
    private static String blueOrg;

    @Inject
    Authenticator auth;

    @BeforeEach
    void twoOrgsWithATokenEach() {
        if (red != null) {
            return;
        }
        suffix = UUID.randomUUID().toString().substring(0, 6);
        redOrg = "red-" + suffix;
        blueOrg = "blue-" + suffix;
        for (String org : List.of(redOrg, blueOrg)) {
            as(AuthProfile.ADMIN).body(Map.of("name", org)).post("/api/v1/orgs").then().statusCode(201);
        }
        red = token(redOrg);
        blue = token(blueOrg);
    }

    private static String token(String org) {
        return as(AuthProfile.ADMIN).body(Map.of("org", org, "description", "mlflow"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    private static ValidatableResponse post(String token, String path, Object body) {
        return as(token).body(body).post(API + path).then().log().ifValidationFails();
    }

    private static ValidatableResponse get(String token, String path, Map<String, ?> query) {
        return as(token).queryParams(query).get(API + path).then().log().ifValidationFails();
    }

    private static ValidatableResponse mlflowError(ValidatableResponse response, int status, String code) {
        return response.statusCode(status).body("error_code", equalTo(code)).body("message", not(empty()));
    }

    private static String experiment(String token, String name) {
        return post(token, "/experiments/create", Map.of("name", name)).statusCode(200)
                .extract().path("experiment_id");
    }

    private static String run(String token, String experimentId) {
        return post(token, "/runs/create", Map.of("experiment_id", experimentId, "user_id", "ana",
                "run_name", "first", "start_time", 1_700_000_000_000L,
                "tags", List.of(Map.of("key", "team", "value", "wine")))).statusCode(200)
                .extract().path("run.info.run_id");
    }

    private static Map<String, Object> metric(String key, double value, long step) {
        return Map.of("key", key, "value", value, "timestamp", 1_700_000_000_000L + step, "step", step);
    }

    // ---- experiments

    @Test
    void anExperimentIsCreatedInTheTokensOrgAndReadByIdAndByName() {
        String name = redOrg + "/wine tuning";
        String id = experiment(red, name);
        get(red, "/experiments/get", Map.of("experiment_id", id)).statusCode(200)
                .body("experiment.experiment_id", equalTo(id)).body("experiment.name", equalTo(name))
                .body("experiment.lifecycle_stage", equalTo("active"))
                .body("experiment.artifact_location", equalTo("mlflow-artifacts:/" + redOrg + "/mlflow-experiment-"
                        + id));
        get(red, "/experiments/get-by-name", Map.of("experiment_name", name)).statusCode(200)
                .body("experiment.experiment_id", equalTo(id));
    }

    static Stream<Arguments> refusedExperimentNames() {
        return Stream.of(
                Arguments.of(Named.of("a name without its org", "wine"), 400, "INVALID_PARAMETER_VALUE"),
                Arguments.of(Named.of("a name in another org", "blue-x/wine"), 400, "INVALID_PARAMETER_VALUE"),
                Arguments.of(Named.of("an empty name", ""), 400, "INVALID_PARAMETER_VALUE"),
                Arguments.of(Named.of("a name of 501 characters", "ORG/" + "x".repeat(497)), 400,
                        "INVALID_PARAMETER_VALUE"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("refusedExperimentNames")
    void anExperimentNameThatBreaksTheRulesIsRefusedWithTheRule(String name, int status, String code) {
        mlflowError(post(red, "/experiments/create", Map.of("name", name.replace("ORG", redOrg))), status, code);
    }

    @Test
    void aSecondExperimentOfTheSameNameIsResourceAlreadyExists() {
        String name = redOrg + "/twice";
        experiment(red, name);
        mlflowError(post(red, "/experiments/create", Map.of("name", name)), 400, "RESOURCE_ALREADY_EXISTS");
    }

    @Test
    void anArtifactLocationOfTheClientsIsRefused() {
        mlflowError(post(red, "/experiments/create", Map.of("name", redOrg + "/s3", "artifact_location",
                "s3://bucket/x")), 400, "INVALID_PARAMETER_VALUE").body("message", containsString("artifact_location"));
    }

    @Test
    void experimentsThatDoNotExistAreResourceDoesNotExist() {
        mlflowError(get(red, "/experiments/get", Map.of("experiment_id", "987654321")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(get(red, "/experiments/get-by-name", Map.of("experiment_name", redOrg + "/nothing")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(get(red, "/experiments/get", Map.of()), 400, "INVALID_PARAMETER_VALUE")
                .body("message", containsString("experiment_id"));
    }

    @Test
    void experimentsAreSearchedByFilterInOrderAndInPages() {
        for (String n : List.of("a", "b", "c")) {
            experiment(red, redOrg + "/find-" + n);
        }
        post(red, "/experiments/search", Map.of("filter", "name LIKE '" + redOrg + "/find-%'",
                "order_by", List.of("name DESC"), "max_results", 2)).statusCode(200)
                .body("experiments.name", equalTo(List.of(redOrg + "/find-c", redOrg + "/find-b")))
                .body("next_page_token", not(nullValue()));
        String token = post(red, "/experiments/search", Map.of("filter", "name LIKE '" + redOrg + "/find-%'",
                "order_by", List.of("name DESC"), "max_results", 2)).extract().path("next_page_token");
        post(red, "/experiments/search", Map.of("filter", "name LIKE '" + redOrg + "/find-%'",
                "order_by", List.of("name DESC"), "max_results", 2, "page_token", token)).statusCode(200)
                .body("experiments.name", equalTo(List.of(redOrg + "/find-a")))
                .body("next_page_token", nullValue());
        mlflowError(post(red, "/experiments/search", Map.of("filter", "name ~ 'x'")), 400,
                "INVALID_PARAMETER_VALUE");
        mlflowError(post(red, "/experiments/search", Map.of("max_results", 50_001)), 400, "INVALID_PARAMETER_VALUE");
    }

    @Test
    void anExperimentIsRenamedTaggedDeletedAndRestored() {
        String id = experiment(red, redOrg + "/to-rename");
        post(red, "/experiments/update", Map.of("experiment_id", id, "new_name", redOrg + "/renamed"))
                .statusCode(200);
        mlflowError(post(red, "/experiments/update", Map.of("experiment_id", id, "new_name", blueOrg + "/mine")),
                400, "INVALID_PARAMETER_VALUE");
        post(red, "/experiments/set-experiment-tag", Map.of("experiment_id", id, "key", "owner", "value", "ana"))
                .statusCode(200);
        post(red, "/experiments/delete", Map.of("experiment_id", id)).statusCode(200);
        post(red, "/experiments/search", Map.of("filter", "name = '" + redOrg + "/renamed'")).statusCode(200)
                .body("experiments", empty());
        post(red, "/experiments/search", Map.of("filter", "name = '" + redOrg + "/renamed'", "view_type",
                "DELETED_ONLY")).statusCode(200).body("experiments[0].tags", hasItem(Map.of("key", "owner",
                "value", "ana")));
        mlflowError(post(red, "/runs/create", Map.of("experiment_id", id)), 400, "INVALID_PARAMETER_VALUE");
        post(red, "/experiments/restore", Map.of("experiment_id", id)).statusCode(200);
        get(red, "/experiments/get", Map.of("experiment_id", id)).body("experiment.lifecycle_stage",
                equalTo("active"));
    }

    // ---- runs

    @Test
    void aRunLogsParamsMetricsAndTagsAndReadsThemBack() {
        String run = run(red, experiment(red, redOrg + "/runs"));
        post(red, "/runs/log-parameter", Map.of("run_id", run, "key", "alpha", "value", "0.5")).statusCode(200);
        post(red, "/runs/log-parameter", Map.of("run_id", run, "key", "alpha", "value", "0.5")).statusCode(200);
        for (int step = 0; step < 3; step++) {
            post(red, "/runs/log-metric", Map.of("run_id", run, "key", "rmse", "value", 1.0 - step / 10.0,
                    "timestamp", 1_700_000_000_000L + step, "step", step)).statusCode(200);
        }
        post(red, "/runs/set-tag", Map.of("run_id", run, "key", "stage", "value", "dev")).statusCode(200);
        post(red, "/runs/log-batch", Map.of("run_id", run, "metrics", List.of(metric("r2", 0.3, 0)),
                "params", List.of(Map.of("key", "l1_ratio", "value", "0.1")),
                "tags", List.of(Map.of("key", "mlflow.source.name", "value", "train.py")))).statusCode(200);
        get(red, "/runs/get", Map.of("run_id", run)).statusCode(200)
                .body("run.info.run_id", equalTo(run)).body("run.info.run_uuid", equalTo(run))
                .body("run.info.status", equalTo("RUNNING")).body("run.info.run_name", equalTo("first"))
                .body("run.info.artifact_uri", containsString("mlflow-artifacts:/" + redOrg + "/"))
                .body("run.data.params", hasItem(Map.of("key", "alpha", "value", "0.5")))
                .body("run.data.params", hasItem(Map.of("key", "l1_ratio", "value", "0.1")))
                .body("run.data.metrics.find { it.key == 'rmse' }.value", equalTo(0.8f))
                .body("run.data.metrics.find { it.key == 'rmse' }.step", equalTo(2))
                .body("run.data.tags", hasItem(Map.of("key", "stage", "value", "dev")))
                .body("run.data.tags", hasItem(Map.of("key", "team", "value", "wine")));
        // MLflow 3 logs a run's step-0 values again with the id of the model it logged: still one value, as in MLflow
        post(red, "/runs/log-batch", Map.of("run_id", run, "metrics", List.of(Map.of("key", "rmse", "value", 1.0,
                "timestamp", 1_700_000_000_000L, "step", 0, "model_id", "m-1")))).statusCode(200);
        get(red, "/metrics/get-history", Map.of("run_id", run, "metric_key", "rmse")).statusCode(200)
                .body("metrics.step", equalTo(List.of(0, 1, 2)))
                .body("metrics.value", equalTo(List.of(1.0f, 0.9f, 0.8f)));
        post(red, "/runs/delete-tag", Map.of("run_id", run, "key", "stage")).statusCode(200);
        mlflowError(post(red, "/runs/delete-tag", Map.of("run_id", run, "key", "stage")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        post(red, "/runs/update", Map.of("run_id", run, "status", "FINISHED", "end_time", 1_700_000_100_000L))
                .statusCode(200).body("run_info.status", equalTo("FINISHED"))
                .body("run_info.end_time", equalTo(1_700_000_100_000L));
    }

    @Test
    void aParamLoggedAgainWithAnotherValueIsRefusedAndKeepsTheFirst() {
        String run = run(red, experiment(red, redOrg + "/params-once"));
        post(red, "/runs/log-parameter", Map.of("run_id", run, "key", "alpha", "value", "0.5")).statusCode(200);
        mlflowError(post(red, "/runs/log-parameter", Map.of("run_id", run, "key", "alpha", "value", "0.7")), 400,
                "INVALID_PARAMETER_VALUE").body("message", containsString("Changing param values is not allowed"));
        get(red, "/runs/get", Map.of("run_id", run)).body("run.data.params", equalTo(List.of(Map.of("key", "alpha",
                "value", "0.5"))));
    }

    static Stream<Arguments> badLogs() {
        Map<String, Object> fine = metric("m", 1, 0);
        return Stream.of(
                Arguments.of(Named.of("a metric key with a forbidden character", "/runs/log-metric"),
                        Map.of("key", "a*b", "value", 1.0, "timestamp", 1L, "step", 0)),
                Arguments.of(Named.of("a metric key that climbs out with '..'", "/runs/log-metric"),
                        Map.of("key", "../x", "value", 1.0, "timestamp", 1L, "step", 0)),
                Arguments.of(Named.of("a metric without its value", "/runs/log-metric"),
                        Map.of("key", "m", "timestamp", 1L)),
                Arguments.of(Named.of("a param value over 6000 characters", "/runs/log-parameter"),
                        Map.of("key", "p", "value", "x".repeat(6001))),
                Arguments.of(Named.of("a tag value over 8000 characters", "/runs/set-tag"),
                        Map.of("key", "t", "value", "x".repeat(8001))),
                Arguments.of(Named.of("a batch of 1001 metrics", "/runs/log-batch"),
                        Map.of("metrics", java.util.Collections.nCopies(1001, fine))),
                Arguments.of(Named.of("a batch of 101 params", "/runs/log-batch"),
                        Map.of("params", java.util.stream.IntStream.range(0, 101).mapToObj(i -> Map.of("key",
                                "p" + i, "value", "v")).toList())),
                Arguments.of(Named.of("a batch naming one param twice with two values", "/runs/log-batch"),
                        Map.of("params", List.of(Map.of("key", "p", "value", "1"), Map.of("key", "p", "value",
                                "2")))),
                Arguments.of(Named.of("an unknown run status", "/runs/update"), Map.of("status", "DONE")));
    }

    @ParameterizedTest(name = "{0} is INVALID_PARAMETER_VALUE")
    @MethodSource("badLogs")
    void aLogThatBreaksMlflowsRulesIsRefusedAndKeepsNothing(String path, Map<String, Object> body) {
        String run = run(red, experiment(red, redOrg + "/bad-" + UUID.randomUUID().toString().substring(0, 6)));
        Map<String, Object> request = new java.util.HashMap<>(body);
        request.put("run_id", run);
        mlflowError(post(red, path, request), 400, "INVALID_PARAMETER_VALUE");
        get(red, "/runs/get", Map.of("run_id", run)).body("run.data.metrics", empty())
                .body("run.data.params", empty()).body("run.info.status", equalTo("RUNNING"));
    }

    @Test
    void runsAreSearchedByMetricsParamsTagsAndAttributesInOrder() {
        String experiment = experiment(red, redOrg + "/search-runs");
        for (double alpha : new double[]{0.1, 0.5, 0.9}) {
            String run = run(red, experiment);
            post(red, "/runs/log-batch", Map.of("run_id", run, "metrics", List.of(metric("rmse", alpha * 2, 0)),
                    "params", List.of(Map.of("key", "alpha", "value", Double.toString(alpha))))).statusCode(200);
            if (alpha > 0.3) {
                post(red, "/runs/update", Map.of("run_id", run, "status", "FINISHED")).statusCode(200);
            }
        }
        post(red, "/runs/search", Map.of("experiment_ids", List.of(experiment), "filter",
                "metrics.rmse < 1.5 and attributes.status = 'FINISHED'", "order_by", List.of("metrics.rmse DESC")))
                .statusCode(200).body("runs.data.params.flatten().value", equalTo(List.of("0.5")));
        post(red, "/runs/search", Map.of("experiment_ids", List.of(experiment), "order_by",
                List.of("params.alpha DESC"), "max_results", 2)).statusCode(200)
                .body("runs", hasSize(2)).body("next_page_token", not(nullValue()));
        post(red, "/runs/search", Map.of("experiment_ids", List.of(experiment), "filter", "tags.team = 'wine' "
                + "AND params.alpha LIKE '0.%'")).statusCode(200).body("runs", hasSize(3));
        mlflowError(post(red, "/runs/search", Map.of("experiment_ids", List.of(experiment), "filter",
                "metrics.rmse < 1 OR metrics.rmse > 2")), 400, "INVALID_PARAMETER_VALUE");
    }

    @Test
    void aDeletedRunIsHiddenTakesNoLogsAndComesBackWhenRestored() {
        String experiment = experiment(red, redOrg + "/deleted-runs");
        String run = run(red, experiment);
        post(red, "/runs/delete", Map.of("run_id", run)).statusCode(200);
        post(red, "/runs/search", Map.of("experiment_ids", List.of(experiment))).body("runs", empty());
        post(red, "/runs/search", Map.of("experiment_ids", List.of(experiment), "run_view_type", "DELETED_ONLY"))
                .body("runs.info.run_id", equalTo(List.of(run)));
        mlflowError(post(red, "/runs/log-metric", Map.of("run_id", run, "key", "m", "value", 1.0, "timestamp", 1L)),
                400, "INVALID_PARAMETER_VALUE").body("message", containsString("active"));
        post(red, "/runs/restore", Map.of("run_id", run)).statusCode(200);
        post(red, "/runs/search", Map.of("experiment_ids", List.of(experiment))).body("runs.info.run_id",
                equalTo(List.of(run)));
    }

    @Test
    void aRunsInputsAndTheModelsItLoggedAreKept() {
        String run = run(red, experiment(red, redOrg + "/inputs"));
        post(red, "/runs/log-inputs", Map.of("run_id", run, "datasets", List.of(Map.of("dataset", Map.of("name",
                "wine", "digest", "abc", "source_type", "local", "source", "{}"), "tags", List.of()))))
                .statusCode(200);
        post(red, "/runs/log-model", Map.of("run_id", run, "model_json", "{\"artifact_path\": \"model\", "
                + "\"flavors\": {\"sklearn\": {}}}")).statusCode(200);
        mlflowError(post(red, "/runs/log-model", Map.of("run_id", run, "model_json", "{\"flavors\": {}}")), 400,
                "INVALID_PARAMETER_VALUE");
        get(red, "/runs/get", Map.of("run_id", run)).statusCode(200)
                .body("run.inputs.dataset_inputs[0].dataset.name", equalTo("wine"))
                .body("run.data.tags.find { it.key == 'mlflow.log-model.history' }.value",
                        containsString("\"artifact_path\":\"model\""));
    }

    @Test
    void runsThatDoNotExistAreResourceDoesNotExist() {
        mlflowError(get(red, "/runs/get", Map.of("run_id", "0123456789abcdef0123456789abcdef")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(post(red, "/runs/create", Map.of("experiment_id", "987654321")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(post(red, "/runs/log-metric", Map.of("key", "m", "value", 1.0, "timestamp", 1L)), 400,
                "INVALID_PARAMETER_VALUE").body("message", containsString("run_id"));
    }

    // ---- artifacts

    @Test
    void aRunsArtifactsAreUploadedListedDownloadedAndDeletedThroughTheProxy() {
        String run = run(red, experiment(red, redOrg + "/artifacts"));
        String root = get(red, "/runs/get", Map.of("run_id", run)).extract().path("run.info.artifact_uri");
        String path = root.substring("mlflow-artifacts:/".length());
        String url = "/api/2.0/mlflow-artifacts/artifacts/" + path;
        given().header("Authorization", "Bearer " + red).body("name: m\n".getBytes(StandardCharsets.UTF_8))
                .put(url + "/model/MLmodel").then().statusCode(200);
        given().header("Authorization", "Bearer " + red).body(new byte[]{1, 2, 3})
                .put(url + "/model/model.pkl").then().statusCode(200);
        given().header("Authorization", "Bearer " + red).body("x".getBytes(StandardCharsets.UTF_8))
                .put(url + "/notes.txt").then().statusCode(200);
        as(red).queryParam("path", path).get("/api/2.0/mlflow-artifacts/artifacts").then().statusCode(200)
                .body("files.path", equalTo(List.of("model", "notes.txt")))
                .body("files.find { it.path == 'model' }.is_dir", equalTo(true))
                .body("files.find { it.path == 'notes.txt' }.file_size", equalTo(1));
        as(red).queryParam("path", path + "/model").get("/api/2.0/mlflow-artifacts/artifacts").then()
                .body("files.path", equalTo(List.of("MLmodel", "model.pkl")));
        get(red, "/artifacts/list", Map.of("run_id", run, "path", "model")).statusCode(200)
                .body("root_uri", equalTo(root)).body("files.path", equalTo(List.of("MLmodel", "model.pkl")));
        byte[] pkl = given().header("Authorization", "Bearer " + red).get(url + "/model/model.pkl").then()
                .statusCode(200).extract().asByteArray();
        assertThat(pkl).containsExactly(1, 2, 3);
        mlflowError(given().header("Authorization", "Bearer " + red).get(url + "/model/other.pkl").then(), 404,
                "RESOURCE_DOES_NOT_EXIST");
        given().header("Authorization", "Bearer " + red).delete(url + "/notes.txt").then().statusCode(200);
        as(red).queryParam("path", path).get("/api/2.0/mlflow-artifacts/artifacts").then().statusCode(200)
                .body("files.path", equalTo(List.of("model")));
        given().header("Authorization", "Bearer " + red).delete(url + "/model").then().statusCode(200);
        as(red).queryParam("path", path).get("/api/2.0/mlflow-artifacts/artifacts").then().statusCode(200)
                .body("files", empty());
        given().header("Authorization", "Bearer " + red).body(new byte[]{1}).put(url + "/again.bin").then()
                .statusCode(200);
        given().header("Authorization", "Bearer " + red).delete(url).then().statusCode(200);
        as(red).queryParam("path", path).get("/api/2.0/mlflow-artifacts/artifacts").then().statusCode(200)
                .body("files", empty());
    }

    @Test
    void artifactPathsOutsideAnArtifactAreRefused() {
        String run = run(red, experiment(red, redOrg + "/outside"));
        String url = "/api/2.0/mlflow-artifacts/artifacts/" + redOrg;
        mlflowError(given().header("Authorization", "Bearer " + red).body(new byte[]{1}).put(url + "/x").then(), 400,
                "INVALID_PARAMETER_VALUE");
        mlflowError(given().header("Authorization", "Bearer " + red).urlEncodingEnabled(false).body(new byte[]{1})
                .put(url + "/mlflow-experiment-1/" + run + "/artifacts/a/%2E%2E/%2E%2E/b").then(), 400,
                "INVALID_PARAMETER_VALUE");
    }

    // ---- LoggedModels (MLflow 3)

    @Test
    void aLoggedModelIsCreatedFinalizedTaggedAndSearched() {
        String experiment = experiment(red, redOrg + "/logged-models");
        String run = run(red, experiment);
        String id = as(red).body(Map.of("experiment_id", experiment, "name", "model", "source_run_id", run,
                "model_type", "sklearn", "params", List.of(Map.of("key", "alpha", "value", "0.5"))))
                .post(API + "/logged-models").then().statusCode(200)
                .body("model.info.status", equalTo("LOGGED_MODEL_PENDING"))
                .body("model.info.artifact_uri", containsString("mlflow-artifacts:/" + redOrg + "/"))
                .body("model.info.source_run_id", equalTo(run)).extract().path("model.info.model_id");
        assertThat(id).startsWith("m-");
        as(red).body(Map.of("model_id", id, "status", "LOGGED_MODEL_READY")).patch(API + "/logged-models/" + id)
                .then().statusCode(200).body("model.info.status", equalTo("LOGGED_MODEL_READY"));
        as(red).body(Map.of("tags", List.of(Map.of("key", "stage", "value", "dev"))))
                .patch(API + "/logged-models/" + id + "/tags").then().statusCode(200);
        post(red, "/runs/log-metric", Map.of("run_id", run, "key", "rmse", "value", 0.7, "timestamp", 1L,
                "model_id", id)).statusCode(200);
        post(red, "/runs/outputs", Map.of("run_id", run, "models", List.of(Map.of("model_id", id, "step", 0))))
                .statusCode(200);
        post(red, "/logged-models/search", Map.of("experiment_ids", List.of(experiment), "filter",
                "metrics.rmse < 1 AND tags.stage = 'dev'")).statusCode(200)
                .body("models.info.model_id", equalTo(List.of(id)))
                .body("models[0].data.params", hasItem(Map.of("key", "alpha", "value", "0.5")));
        get(red, "/runs/get", Map.of("run_id", run)).body("run.outputs.model_outputs.model_id",
                equalTo(List.of(id)));
        as(red).delete(API + "/logged-models/" + id + "/tags/stage").then().statusCode(200);
        mlflowError(as(red).body(Map.of("status", "DONE")).patch(API + "/logged-models/" + id).then(), 400,
                "INVALID_PARAMETER_VALUE");
        mlflowError(as(red).get(API + "/logged-models/m-0000").then(), 404, "RESOURCE_DOES_NOT_EXIST");
    }

    // ---- the registry, read

    @Test
    void anAppsVersionsAreRegisteredModelsThatMlflowClientsResolveByNumberAndAlias() {
        String app = "reg-" + suffix;
        as(red).contentType("application/zip").body(zip()).post("/api/v1/orgs/" + redOrg + "/apps/" + app
                + "/codeset").then().statusCode(201);
        String modelUri = "fuseml-artifacts:/" + redOrg + "/" + app + "/" + app + "-1/model";
        String files = "/api/v1/artifacts/" + redOrg + "/" + app + "/" + app + "-1/model";
        given().header("Authorization", "Bearer " + red).body(("flavors:\n  python_function:\n    loader_module: "
                + "mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n")
                .getBytes(StandardCharsets.UTF_8)).put(files + "/MLmodel").then().statusCode(201);
        given().header("Authorization", "Bearer " + red).body(new byte[]{1}).put(files + "/model.pkl").then()
                .statusCode(201);
        as(AuthProfile.ADMIN).body(Map.of("run", app + "-1", "modelUri", modelUri, "params", Map.of(),
                "metrics", Map.of("rmse", 0.7))).post("/api/v1/orgs/" + redOrg + "/apps/" + app + "/models")
                .then().statusCode(201);
        get(red, "/registered-models/get", Map.of("name", app)).statusCode(200)
                .body("registered_model.name", equalTo(app))
                .body("registered_model.latest_versions[0].version", equalTo("1"));
        get(AuthProfile.ADMIN, "/registered-models/get", Map.of("name", redOrg + "." + app)).statusCode(200);
        post(red, "/registered-models/alias", Map.of("name", app, "alias", "champion", "version", "1"))
                .statusCode(200);
        get(red, "/registered-models/alias", Map.of("name", app, "alias", "champion")).statusCode(200)
                .body("model_version.version", equalTo("1")).body("model_version.run_id", equalTo(app + "-1"))
                .body("model_version.aliases", equalTo(List.of("champion")));
        get(red, "/model-versions/get", Map.of("name", app, "version", "1")).statusCode(200)
                .body("model_version.current_stage", equalTo("None"));
        String download = get(red, "/model-versions/get-download-uri", Map.of("name", app, "version", "1"))
                .statusCode(200).extract().path("artifact_uri");
        assertThat(download).isEqualTo("mlflow-artifacts:/" + redOrg + "/" + app + "/" + app + "-1/model");
        as(red).queryParam("path", download.substring("mlflow-artifacts:/".length()))
                .get("/api/2.0/mlflow-artifacts/artifacts").then().statusCode(200)
                .body("files.path", equalTo(List.of("MLmodel", "model.pkl")));
        post(red, "/registered-models/get-latest-versions", Map.of("name", app)).statusCode(200)
                .body("model_versions.version", equalTo(List.of("1")));
        post(red, "/registered-models/search", Map.of("filter", "name = '" + app + "'")).statusCode(200)
                .body("registered_models.name", equalTo(List.of(app)));
        post(red, "/model-versions/search", Map.of("filter", "name = '" + app + "'")).statusCode(200)
                .body("model_versions.version", equalTo(List.of("1")));
        mlflowError(get(red, "/model-versions/get", Map.of("name", app, "version", "2")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(get(red, "/model-versions/get", Map.of("name", app, "version", "two")), 400,
                "INVALID_PARAMETER_VALUE");
        as(red).queryParam("name", app).queryParam("alias", "champion").delete(API + "/registered-models/alias")
                .then().statusCode(200);
        mlflowError(get(red, "/registered-models/alias", Map.of("name", app, "alias", "champion")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        // blue sees none of it, by any name
        mlflowError(get(blue, "/registered-models/get", Map.of("name", app)), 404, "RESOURCE_DOES_NOT_EXIST");
        mlflowError(get(blue, "/registered-models/get", Map.of("name", redOrg + "." + app)), 404,
                "RESOURCE_DOES_NOT_EXIST");
        post(blue, "/model-versions/search", Map.of()).statusCode(200).body("model_versions", empty());
    }

    private static byte[] zip() {
        try {
            return Zips.zip("train.py", "print('hello')\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- orgs are walls

    @Test
    void anotherOrgsExperimentsRunsArtifactsAndModelsDoNotExistForAToken() {
        String experiment = experiment(red, redOrg + "/private");
        String run = run(red, experiment);
        String model = as(red).body(Map.of("experiment_id", experiment, "name", "m", "source_run_id", run))
                .post(API + "/logged-models").then().statusCode(200).extract().path("model.info.model_id");
        String root = get(red, "/runs/get", Map.of("run_id", run)).extract().path("run.info.artifact_uri");
        given().header("Authorization", "Bearer " + red).body(new byte[]{7}).put("/api/2.0/mlflow-artifacts/"
                + "artifacts/" + root.substring("mlflow-artifacts:/".length()) + "/secret.bin").then().statusCode(200);

        mlflowError(get(blue, "/experiments/get", Map.of("experiment_id", experiment)), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(get(blue, "/experiments/get-by-name", Map.of("experiment_name", redOrg + "/private")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        post(blue, "/experiments/search", Map.of("filter", "name LIKE '" + redOrg + "%'")).statusCode(200)
                .body("experiments", empty());
        mlflowError(get(blue, "/runs/get", Map.of("run_id", run)), 404, "RESOURCE_DOES_NOT_EXIST");
        mlflowError(post(blue, "/runs/log-metric", Map.of("run_id", run, "key", "m", "value", 1.0, "timestamp",
                1L)), 404, "RESOURCE_DOES_NOT_EXIST");
        mlflowError(post(blue, "/runs/create", Map.of("experiment_id", experiment)), 404, "RESOURCE_DOES_NOT_EXIST");
        mlflowError(post(blue, "/runs/search", Map.of("experiment_ids", List.of(experiment))), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(get(blue, "/metrics/get-history", Map.of("run_id", run, "metric_key", "m")), 404,
                "RESOURCE_DOES_NOT_EXIST");
        mlflowError(as(blue).get(API + "/logged-models/" + model).then(), 404, "RESOURCE_DOES_NOT_EXIST");
        mlflowError(post(blue, "/experiments/create", Map.of("name", redOrg + "/mine")), 400,
                "INVALID_PARAMETER_VALUE");
        given().header("Authorization", "Bearer " + blue).get("/api/2.0/mlflow-artifacts/artifacts/"
                + root.substring("mlflow-artifacts:/".length()) + "/secret.bin").then().statusCode(403)
                .body("error_code", equalTo("PERMISSION_DENIED"));
        as(blue).queryParam("path", root.substring("mlflow-artifacts:/".length()))
                .get("/api/2.0/mlflow-artifacts/artifacts").then().statusCode(404)
                .body("error_code", equalTo("RESOURCE_DOES_NOT_EXIST"));
        given().get(API + "/experiments/get?experiment_id=" + experiment).then().statusCode(401)
                .body("error_code", equalTo("UNAUTHENTICATED"));
    }

    // ---- a training's run token

    @Test
    void aTrainingsTokenLogsToItsOwnRunAndReachesNothingElse() {
        String app = "train-" + suffix;
        String fusemlRun = app + "-1";
        String experiment = as(AuthProfile.ADMIN).body(Map.of("org", redOrg, "app", app))
                .post("/api/v1/runs/" + fusemlRun + "/tracking").then().statusCode(200)
                .extract().path("experimentId");
        String token = Tokens.forRun(auth.systemToken(), new Tokens.RunClaim(redOrg, app, fusemlRun,
                java.time.Instant.now().plusSeconds(3600).getEpochSecond()));
        get(token, "/runs/get", Map.of("run_id", fusemlRun)).statusCode(200)
                .body("run.info.experiment_id", equalTo(experiment)).body("run.info.status", equalTo("RUNNING"));
        get(token, "/experiments/get", Map.of("experiment_id", experiment)).statusCode(200)
                .body("experiment.name", equalTo(redOrg + "/" + app));
        post(token, "/runs/log-metric", Map.of("run_id", fusemlRun, "key", "rmse", "value", 0.6, "timestamp", 1L))
                .statusCode(200);
        String otherRun = run(red, experiment);
        mlflowError(get(token, "/runs/get", Map.of("run_id", otherRun)), 404, "RESOURCE_DOES_NOT_EXIST");
        mlflowError(post(token, "/runs/create", Map.of("experiment_id", experiment)), 403, "PERMISSION_DENIED");
        mlflowError(post(token, "/experiments/create", Map.of("name", redOrg + "/x")), 403, "PERMISSION_DENIED");
        mlflowError(get(token, "/registered-models/get", Map.of("name", app)), 403, "PERMISSION_DENIED");
        mlflowError(as(token).body(Map.of("experiment_id", experiment, "name", "m", "source_run_id", otherRun))
                .post(API + "/logged-models").then(), 403, "PERMISSION_DENIED");
        String root = get(red, "/runs/get", Map.of("run_id", otherRun)).extract().path("run.info.artifact_uri");
        given().header("Authorization", "Bearer " + token).body(new byte[]{1}).put("/api/2.0/mlflow-artifacts/"
                + "artifacts/" + root.substring("mlflow-artifacts:/".length()) + "/x").then().statusCode(404);
        as(AuthProfile.ADMIN).body(Map.of("status", "FINISHED", "adoptModel", false))
                .post("/api/v1/runs/" + fusemlRun + "/tracking/end").then().statusCode(200)
                .body("metrics.rmse", equalTo(0.6f));
        get(red, "/runs/get", Map.of("run_id", fusemlRun)).body("run.info.status", equalTo("FINISHED"));
    }
}
