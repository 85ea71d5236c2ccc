package dev.fuseml.mlflow;

import dev.fuseml.auth.AuthProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A third party's MLflow client, npm's {@code mlflow} 2.0.7 (an MLflow REST client for Node, written for MLflow 1.x),
 * drives experiments, runs, metrics, params and tags against the running orchestrator with an org's token
 * ({@code src/test/js/mlflow-client.mjs}: each step asserts the client's answers). {@code .ci/run} installs it with
 * {@code npm ci}.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class NpmMlflowClientTest {
    private static final Path JS = Path.of("src/test/js");

    @ParameterizedTest(name = "with the token as {0}")
    @ValueSource(strings = {"bearer", "basic"})
    void theNpmMlflowClientDrivesExperimentsRunsMetricsParamsAndTags(String scheme) throws Exception {
        assertThat(JS.resolve("node_modules/mlflow/package.json")).as("the npm mlflow client is not installed: run "
                + "npm ci --prefix functions/src/test/js (.ci/run does)").exists();
        String org = "npm-" + UUID.randomUUID().toString().substring(0, 6);
        given().header("Authorization", "Bearer " + AuthProfile.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", org)).post("/api/v1/orgs").then().statusCode(201);
        String token = given().header("Authorization", "Bearer " + AuthProfile.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("org", org, "description", "npm client")).post("/api/v1/tokens").then().statusCode(201)
                .extract().path("token");
        ProcessBuilder node = new ProcessBuilder("node", JS.resolve("mlflow-client.mjs").toString())
                .redirectErrorStream(false);
        node.environment().putAll(Map.of("FUSEML_URL", "http://127.0.0.1:" + io.restassured.RestAssured.port,
                "FUSEML_TOKEN", token, "FUSEML_ORG", org,
                "FUSEML_AUTH", scheme));
        Path stderr = Files.createTempFile("npm-mlflow", ".err");
        node.redirectError(stderr.toFile());
        Process process = node.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the client finished").isTrue();
        String err = Files.readString(stderr);
        Files.delete(stderr);
        List<String> lines = out.lines().toList();
        assertThat(process.exitValue()).as("the client's steps:\n%s\n%s", out, err.length() > 4000
                ? err.substring(err.length() - 4000) : err).isZero();
        assertThat(lines).last().isEqualTo("{\"done\":true}");
        assertThat(lines).filteredOn(l -> l.contains("\"ok\":false")).isEmpty();
        assertThat(lines).anyMatch(l -> l.contains("\"step\":\"runs.search")).anyMatch(l -> l.contains(
                "\"step\":\"metrics.get-history")).anyMatch(l -> l.contains("RESOURCE_DOES_NOT_EXIST"));
    }
}
