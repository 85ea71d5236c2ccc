package dev.fuseml.extension;

import dev.fuseml.auth.AuthProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** `fuseml extensions` through the running orchestrator: org walls, admin-only global entries, no secret out. */
@QuarkusTest
@TestProfile(AuthProfile.class)
class ExtensionsApiTest {
    private static final String SECRET = "very-secret-mlflow-password";
    private static String red;
    private static String blue;

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @BeforeEach
    void twoOrgsWithATokenEach() {
        if (red != null) {
            return;
        }
        for (String name : new String[]{"xred", "xblue"}) {
            as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/orgs")
                    .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        }
        red = token("xred");
        blue = token("xblue");
    }

    private static String token(String org) {
        return as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("org", org, "description", "ext"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    private static Map<String, Object> mlflow(String name) {
        return Map.of("name", name, "kind", "mlflow", "url", "http://mlflow.team:5000", "credentials",
                Map.of("username", "ml", "password", SECRET));
    }

    @Test
    void anOrgRegistersItsToolsAndNoAnswerOrLogLineCarriesTheCredentials() {
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(capture);
        try {
            String added = as(red).contentType(ContentType.JSON).body(mlflow("team-mlflow"))
                    .post("/api/v1/orgs/xred/extensions").then().statusCode(201)
                    .body("credentials", is(true)).body("org", is("xred")).extract().asString();
            assertThat(added).doesNotContain(SECRET).doesNotContain("password");
            String listed = as(red).get("/api/v1/orgs/xred/extensions").then().statusCode(200)
                    .body("extensions.name", hasItem("team-mlflow")).extract().asString();
            assertThat(listed).doesNotContain(SECRET);
            // a bad one is refused with the rule, and its secret is not echoed either
            as(red).contentType(ContentType.JSON).body(Map.of("name", "x", "kind", "airflow", "url", "http://a",
                    "credentials", Map.of("password", SECRET))).post("/api/v1/orgs/xred/extensions").then()
                    .statusCode(400).body("error", containsString("mlflow, s3, kserve")).body(not(containsString(SECRET)));
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
        assertThat(logged).noneMatch(l -> l.contains(SECRET));
    }

    @Test
    void anotherOrgSeesNothingOfItAndOnlyTheAdminChangesTheGlobalRegistry() {
        as(red).contentType(ContentType.JSON).body(mlflow("walled")).post("/api/v1/orgs/xred/extensions").then()
                .statusCode(201);
        as(blue).get("/api/v1/orgs/xred/extensions").then().statusCode(403);
        as(blue).delete("/api/v1/orgs/xred/extensions/walled").then().statusCode(403);
        as(blue).get("/api/v1/orgs/xblue/extensions").then().statusCode(200)
                .body("extensions.name", not(hasItem("walled")));

        as(red).contentType(ContentType.JSON).body(Map.of("name", "lake", "kind", "s3", "url", "s3://lake"))
                .post("/api/v1/extensions").then().statusCode(403);
        as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "lake", "kind", "s3", "url",
                "s3://lake", "description", "the data lake")).post("/api/v1/extensions").then().statusCode(201)
                .body("org", is("*"));
        as(blue).get("/api/v1/orgs/xblue/extensions").then().statusCode(200).body("extensions.name", hasItem("lake"));
        as(red).delete("/api/v1/extensions/lake").then().statusCode(403);
        as(AuthProfile.ADMIN).delete("/api/v1/extensions/lake").then().statusCode(204);
        as(AuthProfile.ADMIN).delete("/api/v1/extensions/lake").then().statusCode(404)
                .body("error", containsString("global registry"));
        as(red).delete("/api/v1/orgs/xred/extensions/walled").then().statusCode(204);
    }

    @Test
    void anOrgThatDoesNotExistOrABodyThatIsNoExtensionIsRefused() {
        as(AuthProfile.ADMIN).get("/api/v1/orgs/nosuch/extensions").then().statusCode(404)
                .body("error", containsString("fuseml orgs"));
        as(red).contentType(ContentType.JSON).body("[1, 2]").post("/api/v1/orgs/xred/extensions").then()
                .statusCode(400);
        as(red).contentType(ContentType.JSON).body(Map.of("name", "x", "kind", "mlflow", "url", "file:///etc"))
                .post("/api/v1/orgs/xred/extensions").then().statusCode(400).body("error", containsString("http(s)"));
    }

    @Test
    void onOneMachineNothingIsDetectedAndAnotherOrgsOrNoTokenGetsNothing() {
        as(red).get("/api/v1/orgs/xred/extensions/detected").then().statusCode(200)
                .body("detected", org.hamcrest.Matchers.empty());
        as(blue).get("/api/v1/orgs/xred/extensions/detected").then().statusCode(403);
        given().get("/api/v1/orgs/xred/extensions/detected").then().statusCode(401);
        as(AuthProfile.ADMIN).get("/api/v1/orgs/nosuch/extensions/detected").then().statusCode(404);
    }

    @Test
    void whatIsRegisteredAlreadyIsNotSuggestedAgain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ExtensionStore store = new ExtensionStore(java.nio.file.Files.createDirectories(dir.resolve("extensions")),
                java.util.Optional.of("system-token-for-this-test"));
        dev.fuseml.org.OrgStore orgs = new dev.fuseml.org.OrgStore(new dev.fuseml.testing.TestConfig(dir));
        orgs.create("team");
        store.put("team", "tracking", "mlflow", "http://tracking.mlflow.svc.cluster.local:5000", null, null);
        ToolDetector cluster = () -> List.of(
                new ToolDetector.Suggestion("kserve", "kserve", null, "CRD inferenceservices.serving.kserve.io"),
                new ToolDetector.Suggestion("tracking", "mlflow", "http://tracking.mlflow.svc.cluster.local:5000",
                        "Service mlflow/tracking labelled mlflow"),
                new ToolDetector.Suggestion("other", "mlflow", "http://other.ml.svc.cluster.local", "Service"));
        var detected = new dev.fuseml.api.ExtensionsResource(store, orgs, cluster).detected("team").detected();
        org.assertj.core.api.Assertions.assertThat(detected).extracting(ToolDetector.Suggestion::name)
                .containsExactly("kserve", "other");
    }

    @jakarta.inject.Inject
    dev.fuseml.run.RunStore runs;

    @jakarta.inject.Inject
    dev.fuseml.auth.Authenticator auth;

    /**
     * The route a step asks for its run's tool: the deployment gets the run's org's extension with its credentials;
     * a user's token (even the org's own) and the training's token do not, and the org is the run's, not the asker's.
     */
    @Test
    void aStepGetsItsRunsToolWithCredentialsAndNobodyElseDoes() {
        as(red).contentType(ContentType.JSON).body(Map.of("name", "red-data", "kind", "dvc-remote", "url",
                "s3://red-data/dvc", "credentials", Map.of("secret_access_key", SECRET)))
                .post("/api/v1/orgs/xred/extensions").then().statusCode(201);
        runs.update("tools-1", () -> dev.fuseml.run.Run.start("tools-1", "xred", "wine"), r -> r);
        runs.update("tools-2", () -> dev.fuseml.run.Run.start("tools-2", "xblue", "wine"), r -> r);

        as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("kind", "dvc-remote"))
                .post("/api/v1/runs/tools-1/tools").then().statusCode(200).body("name", is("red-data"))
                .body("url", is("s3://red-data/dvc")).body("credentials.secret_access_key", is(SECRET));
        as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("kind", "dvc-remote"))
                .post("/api/v1/runs/tools-2/tools").then().statusCode(204);
        as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("kind", "mlflow", "name", "red-data"))
                .post("/api/v1/runs/tools-1/tools").then().statusCode(422)
                .body("error", containsString("is a dvc-remote, not a mlflow"));
        as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("kind", "mlflow", "name", "nowhere"))
                .post("/api/v1/runs/tools-1/tools").then().statusCode(422)
                .body("error", containsString("fuseml extensions add nowhere --kind mlflow"));
        as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("kind", "dvc-remote"))
                .post("/api/v1/runs/nowhere-1/tools").then().statusCode(404);
        as(AuthProfile.ADMIN).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/runs/tools-1/tools").then().statusCode(400).body("error", containsString("kind"));

        as(red).contentType(ContentType.JSON).body(Map.of("kind", "dvc-remote"))
                .post("/api/v1/runs/tools-1/tools").then().statusCode(403).body(not(containsString(SECRET)));
        String training = dev.fuseml.eventing.Tokens.forRun(auth.systemToken(), new dev.fuseml.eventing.Tokens
                .RunClaim("xred", "wine", "tools-1", java.time.Instant.now().plusSeconds(600).getEpochSecond()));
        as(training).contentType(ContentType.JSON).body(Map.of("kind", "dvc-remote"))
                .post("/api/v1/runs/tools-1/tools").then().statusCode(403).body(not(containsString(SECRET)));
        given().contentType(ContentType.JSON).body(Map.of("kind", "dvc-remote"))
                .post("/api/v1/runs/tools-1/tools").then().statusCode(401);
    }
}
