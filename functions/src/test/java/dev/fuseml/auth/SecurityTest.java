package dev.fuseml.auth;

import dev.fuseml.run.RunProjection;
import dev.fuseml.run.RunStore;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Tokens and org isolation, as an attacker with a token of another org (or none) would try them: every read, write,
 * delete and event across orgs is refused, at the API, the broker ingress and git alike.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class SecurityTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    RunProjection projection;

    @Inject
    RunStore runs;

    private String red;
    private String blue;

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @BeforeEach
    void orgsWithATokenEach() {
        for (String name : new String[]{"red", "blue"}) {
            as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/orgs")
                    .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        }
        red = token("red");
        blue = token("blue");
    }

    private static String token(String org) {
        return as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("org", org, "description", "test"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    private static byte[] zip(String name, String content) throws Exception {
        return dev.fuseml.testing.Zips.zip(name, content);
    }

    @Test
    void requestsWithoutATokenGet401ThatSaysHowToSendOne() {
        given().get("/api/v1/orgs/red/apps").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error", containsString("Authorization: Bearer TOKEN"));
        given().get("/git/red/app.git/info/refs?service=git-upload-pack").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Basic"));
        given().header("Authorization", "Bearer fuseml_not-a-token").get("/api/v1/orgs").then().statusCode(401)
                .body("error", containsString("not valid"));
        given().contentType(ContentType.JSON).body("{}").post("/train").then().statusCode(401);
        // open: health and status, which without a token shows no org's broker and nothing of the machine
        given().get("/api/v1/status").then().statusCode(200).body("brokers.size()", equalTo(0))
                .body("pid", equalTo(0));
    }

    @Test
    void anOrgTokenReachesNothingOfAnotherOrg() throws Exception {
        as(red).get("/api/v1/orgs").then().statusCode(200).body("name", org.hamcrest.Matchers.contains("red"));
        as(red).get("/api/v1/orgs/red/apps").then().statusCode(200);
        as(red).get("/api/v1/orgs/blue/apps").then().statusCode(403).body("error", containsString("'red'"));
        as(red).get("/api/v1/orgs/blue/runs").then().statusCode(403);
        as(red).delete("/api/v1/orgs/blue/apps/anything").then().statusCode(403);
        as(red).contentType("application/zip").body(zip("train.py", "print(1)\n"))
                .post("/api/v1/orgs/blue/apps/stolen/codeset").then().statusCode(403);
        assertThat(Path.of("target/test-data-auth/codesets/blue/stolen.git")).doesNotExist();
        as(red).get("/api/v1/artifacts/blue/app/run-1/model").then().statusCode(403);
        as(red).contentType(ContentType.JSON).body(Map.of("name", "green")).post("/api/v1/orgs").then()
                .statusCode(403).body("error", containsString("admin"));
        as(red).get("/api/v1/tokens").then().statusCode(403);
        as(red).contentType(ContentType.JSON).body(Map.of("org", "blue")).post("/api/v1/tokens").then()
                .statusCode(403);
        as(red).post("/api/v1/gc").then().statusCode(403);
        as(red).contentType(ContentType.JSON).body("{}").post("/api/v1/projection").then().statusCode(403);
        as(red).get("/api/v1/claims/some-run").then().statusCode(403);
        as(red).contentType(ContentType.JSON).body("{}").post("/train").then().statusCode(403);
        as(red).get("/api/v1/whoami").then().statusCode(200).body("org", equalTo("red"));
    }

    @Test
    void anotherOrgsRunIsNotFoundAsIfItDidNotExist() {
        String run = "sec-" + UUID.randomUUID().toString().substring(0, 8);
        projection.apply(CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withType("dev.fuseml.push")
                .withSource(URI.create("test")).withExtension("fusemlorg", "blue").withExtension("fusemlapp", "app")
                .withExtension("fusemlrun", run).withData("application/json", "{}".getBytes()).build());
        as(blue).get("/api/v1/runs/" + run).then().statusCode(200).body("org", equalTo("blue"));
        as(red).get("/api/v1/runs/" + run).then().statusCode(404).body("error", containsString("does not exist"));
        as(red).get("/api/v1/runs/" + run + "/log").then().statusCode(404);
        as(red).get("/api/v1/runs/no-such-run").then().statusCode(404);
        as(AuthProfile.ADMIN).get("/api/v1/runs/" + run).then().statusCode(200);

        // an event of red naming blue's run id changes nothing of it
        projection.apply(CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withType("dev.fuseml.failed")
                .withSource(URI.create("test")).withExtension("fusemlorg", "red").withExtension("fusemlapp", "app")
                .withExtension("fusemlrun", run).withData("application/json",
                        "{\"step\":\"train\",\"cause\":\"forged\"}".getBytes()).build());
        assertThat(runs.get(run).orElseThrow().status()).isNotEqualTo("failed");
        assertThat(runs.get(run).orElseThrow().org()).isEqualTo("blue");
    }

    @Test
    void theBrokerIngressTakesATokenOfItsOrgAndEventsOfThatOrgOnly() throws Exception {
        String redIngress = as(red).get("/api/v1/status").then().statusCode(200).extract().path("brokers.red");
        assertThat(redIngress).isNotNull();
        URI blueIngress = URI.create(redIngress.replace("/red/", "/blue/"));
        assertThat(send(URI.create(redIngress), null, "red").statusCode()).isEqualTo(401);
        assertThat(send(blueIngress, red, "blue").statusCode()).isEqualTo(403);
        HttpResponse<String> forged = send(URI.create(redIngress), red, "blue");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("org's broker takes events of that org only");
        assertThat(send(URI.create(redIngress), red, "red").statusCode()).isEqualTo(202);
        assertThat(send(blueIngress, AuthProfile.ADMIN, "blue").statusCode()).isEqualTo(202);
    }

    private static HttpResponse<String> send(URI ingress, String token, String org) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(ingress).header("ce-specversion", "1.0")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-type", "test.security.ping")
                .header("ce-source", "test").header("ce-fusemlorg", org).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStepTakesADeliveryWithATokenOfTheEventsOrgOnly() {
        // as an org's own trigger delivers to FuseML's register: another org's event with this org's token is 403
        as(red).header("ce-specversion", "1.0").header("ce-id", "x1").header("ce-type", "dev.fuseml.trained")
                .header("ce-source", "test").header("ce-fusemlorg", "blue").header("ce-fusemlapp", "wine")
                .header("ce-fusemlrun", "wine-x1").contentType(ContentType.JSON).body("{}").post("/register").then()
                .statusCode(403).body("error", containsString("delivers events of that org only"));
        as(red).header("ce-specversion", "1.0").header("ce-id", "x2").header("ce-type", "dev.fuseml.trained")
                .header("ce-source", "test").contentType(ContentType.JSON).body("{}").post("/register").then()
                .statusCode(403);
        given().header("ce-specversion", "1.0").header("ce-id", "x3").header("ce-type", "dev.fuseml.trained")
                .header("ce-source", "test").header("ce-fusemlorg", "red").contentType(ContentType.JSON).body("{}")
                .post("/register").then().statusCode(401);
        as(red).contentType(ContentType.JSON).header("ce-fusemlorg", "blue").body("{}").post("/api/v1/deadletter")
                .then().statusCode(403);
    }

    @Test
    void gitServesACodesetToATokenOfItsOrgOnly() throws Exception {
        String repository = as(blue).contentType("application/zip").body(zip("train.py", "print('blue')\n"))
                .post("/api/v1/orgs/blue/apps/secret/codeset").then().statusCode(201).extract().path("repository");
        Path clone = Files.createTempDirectory("clone");
        try {
            assertThatThrownBy(() -> Git.cloneRepository().setURI(repository).setDirectory(clone.resolve("none")
                    .toFile()).call().close()).isInstanceOf(TransportException.class);
            assertThatThrownBy(() -> Git.cloneRepository().setURI(repository).setDirectory(clone.resolve("red")
                    .toFile()).setCredentialsProvider(new UsernamePasswordCredentialsProvider("x", red)).call()
                    .close()).isInstanceOf(TransportException.class);
            try (Git git = Git.cloneRepository().setURI(repository).setDirectory(clone.resolve("blue").toFile())
                    .setCredentialsProvider(new UsernamePasswordCredentialsProvider("x", blue)).call()) {
                assertThat(Files.readString(clone.resolve("blue/train.py"))).contains("blue");
                // pushing to blue's codeset: refused without a token and with red's
                Files.writeString(clone.resolve("blue/train.py"), "print('stolen')\n");
                git.commit().setAll(true).setMessage("red was here").setAuthor("red", "red@example.com").call();
                assertThatThrownBy(() -> git.push().setRemote("origin").call())
                        .isInstanceOf(TransportException.class);
                assertThatThrownBy(() -> git.push().setRemote("origin").setCredentialsProvider(
                        new UsernamePasswordCredentialsProvider("x", red)).call())
                        .isInstanceOf(TransportException.class);
            }
        } finally {
            dev.fuseml.workspace.Workspaces.delete(clone);
        }
    }

    @Test
    void triggersOfAnotherOrgCanBeNeitherAppliedNorSeen() {
        String yaml = """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata:
                  name: tap
                  namespace: blue
                spec:
                  broker: default
                  subscriber:
                    uri: http://127.0.0.1:9/tap
                """;
        as(red).contentType("application/yaml").body(yaml.getBytes(StandardCharsets.UTF_8)).post("/api/v1/triggers").then().statusCode(403)
                .body("error", containsString("'blue'"));
        as(blue).contentType("application/yaml").body(yaml.getBytes(StandardCharsets.UTF_8)).post("/api/v1/triggers").then().statusCode(200);
        as(red).get("/api/v1/triggers").then().statusCode(200)
                .body("findAll { it.namespace == 'blue' }.size()", equalTo(0));
        as(red).delete("/api/v1/triggers/blue/tap").then().statusCode(403);
        as(blue).delete("/api/v1/triggers/blue/tap").then().statusCode(204);
    }

    @Test
    void aDeletedTokenIsRefusedAtOnce() {
        Map<String, Object> issued = as(AuthProfile.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("org", "red")).post("/api/v1/tokens").then().statusCode(201).extract().as(Map.class);
        as((String) issued.get("token")).get("/api/v1/orgs/red/apps").then().statusCode(200);
        as(AuthProfile.ADMIN).get("/api/v1/tokens").then().statusCode(200)
                .body("find { it.id == '" + issued.get("id") + "' }.token", org.hamcrest.Matchers.nullValue());
        as(AuthProfile.ADMIN).delete("/api/v1/tokens/" + issued.get("id")).then().statusCode(204);
        as((String) issued.get("token")).get("/api/v1/orgs/red/apps").then().statusCode(401);
    }
}
