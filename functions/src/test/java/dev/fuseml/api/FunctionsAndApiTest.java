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

    private static byte[] zip(String name, String content) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static String upload(byte[] zip) {
        return given().contentType("application/zip").body(zip).post("/api/v1/orgs/workspace/uploads")
                .then().statusCode(201).extract().path("upload");
    }

    private static Response push(String run, String body) {
        return given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "dev.fuseml.push").header("ce-source", "test")
                .header("ce-fusemlorg", "workspace").header("ce-fusemlapp", "api-test")
                .header("ce-fusemlrun", run).contentType(ContentType.JSON).body(body).post("/receive");
    }

    @Test
    void receiveStoresTheCodeAsACommitAndRepliesWithReceived() throws Exception {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        String upload = upload(zip("train.py", "print('training')\n"));
        Response first = push(run, "{\"upload\":\"" + upload + "\",\"params\":{\"epochs\":\"2\"}}");
        first.then().statusCode(200).header("ce-type", "dev.fuseml.received").header("ce-fusemlrun", run)
                .header("ce-subject", "api-test");
        String commit = first.path("commit");
        assertThat(commit).hasSize(40);

        Path clone = Files.createTempDirectory("clone");
        String repo = given().get("/api/v1/status").path("dataDir") + "/codesets/workspace/api-test.git";
        try (Git git = Git.cloneRepository().setURI(Path.of(repo).toUri().toString()).setDirectory(clone.toFile()).call()) {
            assertThat(git.getRepository().resolve("HEAD").name()).isEqualTo(commit);
        }
        assertThat(Files.readString(clone.resolve("train.py"))).contains("training");

        // A redelivery of the same push (same run) is answered with the same result, not stored twice.
        Response again = push(run, "{\"upload\":\"" + upload + "\",\"params\":{}}");
        again.then().statusCode(200).header("ce-type", "dev.fuseml.received");
        assertThat((String) again.path("commit")).isEqualTo(commit);
        given().get("/api/v1/runs/" + run).then().statusCode(200).body("commit", equalTo(commit))
                .body("steps.name", hasItem("receive"));
    }

    @Test
    void aPushWithoutEntryPointFailsAtReceiveWithWhatToAdd() throws Exception {
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        String upload = upload(zip("notes.txt", "nothing to run"));
        push(run, "{\"upload\":\"" + upload + "\"}").then().statusCode(200).header("ce-type", "dev.fuseml.failed")
                .body("step", equalTo("receive")).body("cause", containsString("no entry point"))
                .body("cause", containsString("train.py"));
    }

    @Test
    void aPushWithoutUploadFails() {
        push("run-" + UUID.randomUUID().toString().substring(0, 8), "{}").then().statusCode(200)
                .header("ce-type", "dev.fuseml.failed").body("cause", containsString("no upload"));
    }

    @Test
    void uploadsMustBeZipArchivesForAnExistingOrg() {
        given().contentType("application/zip").body("plain text".getBytes()).post("/api/v1/orgs/workspace/uploads")
                .then().statusCode(400).body("error", containsString("zip"));
        given().contentType("application/zip").body(new byte[]{1}).post("/api/v1/orgs/nobody/uploads")
                .then().statusCode(404).body("error", containsString("fuseml create-org nobody"));
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
