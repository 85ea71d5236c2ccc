package dev.fuseml.retention;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/** Disk stays bounded: versions beyond what an app keeps (never the served one) go, and gc takes unused venvs. */
@QuarkusTest
class RetentionTest {
    private static final String MLMODEL = "flavors:\n  sklearn:\n    pickled_model: model.pkl\n";

    private static Path dataDir() {
        return Path.of(given().get("/api/v1/status").then().extract().path("dataDir").toString());
    }

    private static int register(String app, String run, String environment) {
        String base = "/api/v1/artifacts/workspace/" + app + "/" + run + "/model";
        given().contentType("application/octet-stream").body(MLMODEL.getBytes()).put(base + "/MLmodel")
                .then().statusCode(201);
        given().contentType("application/octet-stream").body(new byte[]{1}).put(base + "/model.pkl")
                .then().statusCode(201);
        return given().contentType(ContentType.JSON).body("{\"run\":\"" + run + "\",\"modelUri\":\""
                + "fuseml-artifacts:/workspace/" + app + "/" + run + "/model\",\"environment\":\"" + environment
                + "\",\"params\":{},\"metrics\":{}}").post("/api/v1/orgs/workspace/apps/" + app + "/models")
                .then().statusCode(201).extract().path("version");
    }

    private static void served(String app, String run, int version) {
        given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "dev.fuseml.served").header("ce-source", "test").header("ce-fusemlorg", "workspace")
                .header("ce-fusemlapp", app).header("ce-fusemlrun", run).contentType(ContentType.JSON)
                .body("{\"version\":" + version + ",\"url\":\"http://127.0.0.1:9/v2/models/" + app + "/infer\"}")
                .post("/api/v1/projection").then().statusCode(202);
    }

    @Test
    void anAppKeepsItsNewestVersionsAndTheServedOneAsRunsEnd() {
        String app = "keep-" + UUID.randomUUID().toString().substring(0, 6);
        int v1 = register(app, app + "-r1", "venv:workspace/aaaaaaaaaaaa");
        served(app, app + "-r1", v1); // version 1 is served from here on
        register(app, app + "-r2", "venv:workspace/aaaaaaaaaaaa");
        register(app, app + "-r3", "venv:workspace/aaaaaaaaaaaa");
        register(app, app + "-r4", "venv:workspace/aaaaaaaaaaaa");
        served(app, app + "-r1", v1); // a run ends (the test keeps 2 versions, fuseml.retention-versions)
        List<Integer> kept = given().get("/api/v1/orgs/workspace/apps/" + app + "/models").then().statusCode(200)
                .extract().path("version");
        assertThat(kept).containsExactly(1, 4);
        given().get("/api/v1/artifacts/workspace/" + app + "/" + app + "-r2/model").then().statusCode(404);
        given().get("/api/v1/artifacts/workspace/" + app + "/" + app + "-r3/model").then().statusCode(404);
        given().get("/api/v1/artifacts/workspace/" + app + "/" + app + "-r1/model").then().statusCode(200);
    }

    private static String hex() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void gcRemovesEnvironmentsNoKeptVersionUsesAndLeavesRecentOnes() throws Exception {
        String app = "gc-" + UUID.randomUUID().toString().substring(0, 6);
        Path envs = dataDir().resolve("envs/workspace");
        // names of this run only: the test data directory outlives a run of the tests
        String usedHash = hex();
        String unusedHash = hex();
        String freshHash = hex();
        Path used = Files.createDirectories(envs.resolve(usedHash));
        Path unused = Files.createDirectories(envs.resolve(unusedHash));
        Path fresh = Files.createDirectories(envs.resolve(freshHash));
        Files.writeString(unused.resolve("big.bin"), "x".repeat(4096));
        FileTime old = FileTime.from(Instant.now().minusSeconds(7200));
        Files.setLastModifiedTime(used, old);
        Files.setLastModifiedTime(unused, old);
        register(app, app + "-r1", "venv:workspace/" + usedHash);
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/gc").then().statusCode(200)
                .body("environments", hasItem("venv:workspace/" + unusedHash))
                .body("environments", not(hasItem("venv:workspace/" + usedHash)))
                .body("environments", not(hasItem("venv:workspace/" + freshHash)));
        assertThat(unused).doesNotExist();
        assertThat(used).isDirectory();
        assertThat(fresh).isDirectory();
    }
}
