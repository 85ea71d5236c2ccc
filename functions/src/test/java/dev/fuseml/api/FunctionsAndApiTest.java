package dev.fuseml.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** The functions as Knative would call them (binary-mode CloudEvents over HTTP), and the query API. */
@QuarkusTest
class FunctionsAndApiTest {
    @jakarta.inject.Inject
    dev.fuseml.artifact.ArtifactStorage artifacts;

    private static byte[] zip(String name, String content) throws Exception {
        return dev.fuseml.testing.Zips.zip(name, content);
    }

    /** Sends a project as fuseml push does; answers the repository URL and the commit. */
    private static io.restassured.path.json.JsonPath commit(String app, byte[] zip) {
        return given().contentType("application/zip").body(zip).post("/api/v1/orgs/workspace/apps/" + app
                + "/codeset").then().statusCode(201).extract().jsonPath();
    }

    private static Response push(String run, String body) {
        return given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "dev.fuseml.push").header("ce-source", "test")
                .header("ce-fusemlorg", "workspace").header("ce-fusemlapp", "api-test")
                .header("ce-fusemlrun", run).contentType(ContentType.JSON).body(body).post("/receive");
    }

    private static String pushBody(io.restassured.path.json.JsonPath codeset) {
        return "{\"repository\":\"" + codeset.getString("repository") + "\",\"commit\":\""
                + codeset.getString("commit") + "\",\"params\":{\"epochs\":\"2\"}}";
    }

    @Test
    void pushedCodeIsACommitThatGitClonesOverHttp() throws Exception {
        io.restassured.path.json.JsonPath codeset = commit("api-test", zip("train.py", "print('training')\n"));
        String commit = codeset.getString("commit");
        assertThat(commit).hasSize(40);
        assertThat(codeset.getString("repository")).startsWith("http://").endsWith("/git/workspace/api-test.git");
        Path clone = Files.createTempDirectory("clone");
        try (Git git = Git.cloneRepository().setURI(codeset.getString("repository")).setDirectory(clone.toFile())
                .call()) {
            assertThat(git.getRepository().resolve("HEAD").name()).isEqualTo(commit);
        } finally {
            assertThat(Files.readString(clone.resolve("train.py"))).contains("training");
            dev.fuseml.workspace.Workspaces.delete(clone);
        }
        String base = codeset.getString("repository").replaceAll("/git/.*", "");
        given().get(base + "/git/workspace/nothing.git/info/refs?service=git-upload-pack").then().statusCode(404);
        given().get(base + "/git/../etc/info/refs?service=git-upload-pack").then().statusCode(404);
        // a push to an org that does not exist finds no repository (and makes none)
        given().contentType("application/x-git-receive-pack-request").body(new byte[]{0})
                .post(base + "/git/nosuchorg/api-test.git/git-receive-pack").then().statusCode(404);
    }

    @Test
    void receiveFetchesTheCommitAndRepliesWithReceivedAndARedeliveryGetsTheSameAnswer() throws Exception {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        io.restassured.path.json.JsonPath codeset = commit("api-test", zip("train.py", "print('training')\n"));
        Response first = push(run, pushBody(codeset));
        first.then().statusCode(200).header("ce-type", "dev.fuseml.received").header("ce-fusemlrun", run)
                .header("ce-subject", "api-test").header("ce-dataschema", containsString(
                        "/schemas/dev.fuseml.received.json"));
        assertThat((String) first.path("commit")).isEqualTo(codeset.getString("commit"));
        assertThat((String) first.path("command")).isEqualTo("python train.py --epochs 2");

        Response again = push(run, pushBody(codeset));
        again.then().statusCode(200).header("ce-type", "dev.fuseml.received");
        assertThat((String) again.path("commit")).isEqualTo(codeset.getString("commit"));
        given().get("/api/v1/claims/" + run).then().statusCode(200).body("step", hasItem("receive"))
                .body("status", hasItem("succeeded"));
    }

    @Test
    void aPushWithoutEntryPointFailsAtReceiveWithWhatToAdd() throws Exception {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        push(run, pushBody(commit("api-empty", zip("notes.txt", "nothing to run")))).then().statusCode(200)
                .header("ce-type", "dev.fuseml.failed").body("step", equalTo("receive"))
                .body("cause", containsString("no entry point")).body("cause", containsString("train.py"));
    }

    @Test
    void aPushWithoutCodeFailsWithWhatToSend() {
        push("run-" + UUID.randomUUID().toString().substring(0, 8), "{}").then().statusCode(200)
                .header("ce-type", "dev.fuseml.failed").body("cause", containsString("names no repository"));
    }

    @Test
    void codeMustBeAZipArchiveForAnExistingOrgWithEntriesInsideTheProject() throws Exception {
        given().contentType("application/zip").body("plain text".getBytes())
                .post("/api/v1/orgs/workspace/apps/api-test/codeset").then().statusCode(400)
                .body("error", containsString("zip"));
        given().contentType("application/zip").body(new byte[]{1}).post("/api/v1/orgs/nobody/apps/x/codeset")
                .then().statusCode(404).body("error", containsString("fuseml create-org nobody"));
        given().contentType("application/zip").body(zip("../escape.py", "x"))
                .post("/api/v1/orgs/workspace/apps/api-test/codeset").then().statusCode(400)
                .body("error", containsString("points outside the project"));
        given().contentType("application/zip").body(zip("train.py", "x"))
                .post("/api/v1/orgs/workspace/apps/Bad_Name/codeset").then().statusCode(400)
                .body("error", containsString("DNS-1123"));
    }

    @Test
    void artifactsAreWrittenListedAndReadOverHttpAndStayInsideTheirDirectory() {
        String base = "/api/v1/artifacts/workspace/api-test/run-art/model";
        given().body("flavors: {}".getBytes()).contentType("application/octet-stream").put(base + "/MLmodel")
                .then().statusCode(201);
        given().body(new byte[]{1, 2, 3}).contentType("application/octet-stream").put(base + "/sub/model.pkl")
                .then().statusCode(201);
        given().get(base).then().statusCode(200).body("uri", equalTo("fuseml-artifacts:/workspace/api-test/run-art/model"))
                .body("files.path", hasItem("sub/model.pkl")).body("files.size", hasItem(3));
        assertThat(given().get(base + "/sub/model.pkl").then().statusCode(200).extract().asByteArray())
                .containsExactly(1, 2, 3);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> artifacts.read(
                dev.fuseml.artifact.ArtifactUri.parse("fuseml-artifacts:/workspace/api-test/run-art/model"),
                "../../escape"));
        given().get("/api/v1/artifacts/workspace/api-test/run-art/none").then().statusCode(404);
        given().get("/api/v1/artifacts/Bad/api-test/run-art/model").then().statusCode(400);
        given().delete(base).then().statusCode(204);
        given().get(base).then().statusCode(404);
    }

    @Test
    void claimsRefuseWhatIsNotAClaim() {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/claims/run-x/train").then().statusCode(400)
                .body("error", containsString("owner"));
        given().contentType(ContentType.JSON).body("{\"org\":\"workspace\",\"app\":\"a\",\"owner\":\"o\","
                + "\"input\":{\"type\":\"t\"}}").post("/api/v1/claims/run-x/Bad%20Step").then().statusCode(400)
                .body("error", containsString("invalid step name"));
        given().contentType(ContentType.JSON).body("{\"owner\":\"nobody\"}").post("/api/v1/claims/run-x/train/renew")
                .then().statusCode(409);
    }

    @Test
    void theRunProjectionKeepsRunsAndAppsFromTheChainsEventsAndRefusesWhatIsNoEvent() {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        projected(run, "dev.fuseml.push", "{\"repository\":\"http://h/git/workspace/proj.git\",\"commit\":\"main\"}");
        projected(run, "dev.fuseml.received", "{\"commit\":\"abc\",\"params\":{\"alpha\":\"0.5\"}}");
        projected(run, "dev.fuseml.served", "{\"version\":3,\"url\":\"http://127.0.0.1:9/v2/models/proj/infer\"}");
        projected(run, "dev.fuseml.served", "{\"version\":3,\"url\":\"http://127.0.0.1:9/v2/models/proj/infer\"}");
        given().get("/api/v1/runs/" + run).then().statusCode(200).body("status", equalTo("succeeded"))
                .body("version", equalTo(3)).body("params.alpha", equalTo("0.5"))
                .body("steps.name", hasItem("receive")).body("steps.name", hasItem("serve"));
        given().get("/api/v1/orgs/workspace/apps/proj").then().statusCode(200).body("version", equalTo(3))
                .body("codeset", equalTo("http://h/git/workspace/proj.git")).body("lastRun", equalTo(run));
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/projection").then().statusCode(400);
        given().header("ce-specversion", "1.0").header("ce-id", "x").header("ce-type", "dev.fuseml.built")
                .header("ce-source", "t").contentType(ContentType.JSON).body("{}").post("/api/v1/projection")
                .then().statusCode(202); // outside any run: nothing to keep
    }

    /** What a client outside the cluster does: the control plane sends the event on to the org's broker. */
    @Test
    void anEventPostedToTheOrgsEventsPathGoesThroughItsBroker() {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "dev.fuseml.failed").header("ce-source", "test").header("ce-fusemlorg", "workspace")
                .header("ce-fusemlapp", "via-proxy").header("ce-fusemlrun", run).contentType(ContentType.JSON)
                .body("{\"step\":\"train\",\"cause\":\"stopped by hand\",\"logExcerpt\":\"\"}")
                .post("/api/v1/orgs/workspace/events").then().statusCode(202);
        // the run projection hears of it only through the broker's fuseml-runs trigger
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/runs/" + run).then().statusCode(200).body("status", equalTo("failed"))
                        .body("cause", containsString("stopped by hand")));
    }

    private static void projected(String run, String type, String data) {
        given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString()).header("ce-type", type)
                .header("ce-source", "test").header("ce-fusemlorg", "workspace").header("ce-fusemlapp", "proj")
                .header("ce-fusemlrun", run).contentType(ContentType.JSON).body(data).post("/api/v1/projection")
                .then().statusCode(202);
    }

    @Test
    void stepLogsPostedToARunAreKeptWithCredentialsMasked() {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType("text/plain").body("Looking in indexes: https://bob:hunter2@pypi.example/simple\n")
                .post("/api/v1/runs/" + run + "/log").then().statusCode(204);
        projected(run, "dev.fuseml.push", "{\"repository\":\"http://h/git/workspace/proj.git\",\"commit\":\"main\"}");
        String log = given().get("/api/v1/runs/" + run + "/log").then().statusCode(200).extract().asString();
        assertThat(log).contains("https://***@pypi.example/simple").doesNotContain("hunter2");
    }

    @Test
    void theEventSchemasArePublishedWhereEventsSayTheyAre() {
        given().get("/schemas/dev.fuseml.trained.json").then().statusCode(200)
                .body("required", hasItem("modelUri"));
        given().get("/schemas/dev.fuseml.nothing.json").then().statusCode(404)
                .body("error", containsString("dev.fuseml.push"));
    }

    @Test
    void orgsFollowTheNamingRule() {
        given().contentType(ContentType.JSON).body("{\"name\":\"Team_A\"}").post("/api/v1/orgs")
                .then().statusCode(400).body("error", containsString("DNS-1123"));
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/orgs").then().statusCode(400);
        String name = "team-" + UUID.randomUUID().toString().substring(0, 6);
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}").post("/api/v1/orgs")
                .then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}").post("/api/v1/orgs")
                .then().statusCode(200);
        given().get("/api/v1/status").then().statusCode(200).body("brokers." + name, containsString("/" + name
                + "/default"));
    }

    @Test
    void unknownThingsAre404WithAMessage() {
        given().get("/api/v1/runs/no-such-run").then().statusCode(404).body("error", containsString("does not exist"));
        given().get("/api/v1/runs/no-such-run/events").then().statusCode(404);
        given().get("/api/v1/runs/no-such-run/log").then().statusCode(404);
        given().get("/api/v1/runs/..%2Fetc/log").then().statusCode(404);
        given().get("/api/v1/runs/a/b/c/d").then().statusCode(404).contentType(ContentType.JSON)
                .body("error", containsString("nothing at this path"));
        given().contentType("text/plain").body("x").post("/api/v1/runs/..%2Fetc/log").then().statusCode(404);
        given().get("/api/v1/orgs/nobody/apps").then().statusCode(404).body("error", containsString("fuseml orgs"));
        given().delete("/api/v1/orgs/workspace/apps/nothing").then().statusCode(404);
    }

    @Test
    void anUndeliverableEventFailsItsRun() {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("ce-specversion", "1.0").header("ce-id", "x").header("ce-type", "dev.fuseml.built")
                .header("ce-source", "test").header("ce-fusemlorg", "workspace").header("ce-fusemlapp", "api-test")
                .header("ce-fusemlrun", run).header("ce-knativeerrorcode", "503")
                .header("ce-knativeerrordest", "http://127.0.0.1:1/train")
                .header("ce-knativeerrordata", Base64.getEncoder().encodeToString("overloaded".getBytes()))
                .contentType(ContentType.JSON).body("{}").post("/api/v1/deadletter").then().statusCode(202);
        given().get("/api/v1/runs/" + run).then().statusCode(200).body("status", equalTo("failed"))
                .body("failedStep", equalTo("delivery"))
                .body("cause", containsString("could not be delivered to http://127.0.0.1:1/train"))
                .body("cause", containsString("overloaded"));
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/deadletter").then().statusCode(400);
    }
}
