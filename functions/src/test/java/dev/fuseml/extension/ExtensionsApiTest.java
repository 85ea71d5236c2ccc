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
}
