package dev.fuseml.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * The attacks a tenant holding one org's token (red) tried on another org (blue), replayed through the running
 * orchestrator: each is refused, the run it started fails naming the org rule, and nothing of blue's reaches red.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class OrgWallsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String red;
    private static String blue;
    private static String bluesRepository;
    private static String bluesCommit;

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @BeforeEach
    void orgsWithATokenEachAndACodesetOfBlue() throws Exception {
        if (red != null) {
            return;
        }
        for (String name : new String[]{"red", "blue"}) {
            as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/orgs")
                    .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        }
        red = token("red");
        blue = token("blue");
        var stored = as(blue).contentType("application/zip").body(zip("train.py", "print('blue secret')\n"))
                .post("/api/v1/orgs/blue/apps/secret/codeset").then().statusCode(201).extract();
        bluesRepository = stored.path("repository");
        bluesCommit = stored.path("commit");
    }

    private static String token(String org) {
        return as(AuthProfile.ADMIN).contentType(ContentType.JSON).body(Map.of("org", org, "description", "walls"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    static Stream<Arguments> spellingsOfBluesCodeset() {
        return Stream.<Map.Entry<String, UnaryOperator<String>>>of(
                Map.entry("as it is", u -> u),
                Map.entry("without .git", u -> u.replaceFirst("\\.git$", "")),
                Map.entry("with a dot segment", u -> u.replace("/git/blue/", "/git/./blue/")),
                Map.entry("through a parent segment", u -> u.replace("/git/blue/", "/git/x/../blue/")),
                Map.entry("through red's path", u -> u.replace("/git/blue/", "/git/red/../blue/")),
                Map.entry("with doubled slashes", u -> u.replace("/git/blue/", "//git//blue/")),
                Map.entry("percent-encoded", u -> u.replace("/git/blue/", "/git/%62lue/")),
                Map.entry("with a path parameter", u -> u.replace("/git/blue/", "/git;v=1/blue/")),
                Map.entry("on localhost", u -> u.replace("127.0.0.1", "localhost")))
                .map(e -> Arguments.of(Named.of(e.getKey(), e.getValue())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spellingsOfBluesCodeset")
    void aPushToRedsBrokerNamingBluesCodesetFailsItsRunAndTrainsNothingOfBlues(UnaryOperator<String> spelling)
            throws Exception {
        String run = "steal-" + UUID.randomUUID().toString().substring(0, 8);
        String repository = spelling.apply(bluesRepository);
        assertThat(send("dev.fuseml.push", run, "{\"repository\":\"" + repository + "\",\"commit\":\""
                + bluesCommit + "\"}").statusCode()).isEqualTo(202);

        awaitFailed(run, "receive", "codeset of org 'blue'");
        as(red).get("/api/v1/orgs/red/apps/stolen/models").then().statusCode(org.hamcrest.Matchers.oneOf(200, 404))
                .body(org.hamcrest.Matchers.not(containsString("blue secret")));
    }

    @Test
    void aTrainedEventNamingBluesModelRegistersNothing() throws Exception {
        String run = "steal-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(send("dev.fuseml.trained", run, "{\"repository\":\"" + bluesRepository.replace("/blue/",
                "/red/") + "\",\"commit\":\"" + bluesCommit + "\",\"params\":{},\"environment\":\"venv:red/0123abcd\","
                + "\"modelUri\":\"fuseml-artifacts:/blue/secret/secret-1/model\",\"metrics\":{}}").statusCode())
                .isEqualTo(202);

        awaitFailed(run, "register", "belongs to org 'blue'");
        as(red).get("/api/v1/orgs/red/apps/stolen/models").then().statusCode(org.hamcrest.Matchers.oneOf(200, 404))
                .body(org.hamcrest.Matchers.not(containsString("fuseml-artifacts:/blue")));
    }

    @Test
    void aWebhookOfRedMayNotNameBluesCodesetInAnySpelling() {
        for (String repository : new String[]{bluesRepository, bluesRepository.replaceFirst("\\.git$", ""),
                bluesRepository.replace("/git/blue/", "/git/red/../blue/")}) {
            as(red).contentType(ContentType.JSON).body(Map.of("app", "stolen", "provider", "github", "repository",
                    repository)).post("/api/v1/orgs/red/webhooks").then().statusCode(400)
                    .body("error", containsString("codeset of org 'blue'"));
        }
        as(red).get("/api/v1/orgs/red/webhooks").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(containsString("/blue/")));
    }

    @Test
    void theRegistryApiTakesNoModelOfAnotherOrg() {
        as(red).contentType(ContentType.JSON).body(Map.of("run", "stolen-1", "modelUri",
                        "fuseml-artifacts:/blue/secret/secret-1/model")).post("/api/v1/orgs/red/apps/stolen/models")
                .then().statusCode(400).body("error", containsString("belongs to org 'blue'"));
    }

    @Test
    void theFollowedBranchCanBeNeitherDeletedNorReplacedByUnrelatedHistory() throws Exception {
        var stored = as(red).contentType("application/zip").body(zip("train.py", "print('red')\n"))
                .post("/api/v1/orgs/red/apps/kept/codeset").then().statusCode(201).extract();
        String repository = stored.path("repository");
        String commit = stored.path("commit");
        var credentials = new org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider("x", red);
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("walls");
        try (org.eclipse.jgit.api.Git clone = org.eclipse.jgit.api.Git.cloneRepository().setURI(repository)
                .setDirectory(work.resolve("clone").toFile()).setCredentialsProvider(credentials).call();
                org.eclipse.jgit.api.Git orphan = org.eclipse.jgit.api.Git.init().setInitialBranch("main")
                        .setDirectory(work.resolve("orphan").toFile()).call()) {
            var deleted = clone.push().setCredentialsProvider(credentials)
                    .setRefSpecs(new org.eclipse.jgit.transport.RefSpec(":refs/heads/main")).call().iterator().next()
                    .getRemoteUpdate("refs/heads/main");
            assertThat(deleted.getStatus()).isEqualTo(
                    org.eclipse.jgit.transport.RemoteRefUpdate.Status.REJECTED_OTHER_REASON);
            assertThat(deleted.getMessage()).contains("cannot be deleted");

            java.nio.file.Files.writeString(work.resolve("orphan/train.py"), "print('unrelated')\n");
            orphan.add().addFilepattern("train.py").call();
            orphan.commit().setMessage("unrelated").setAuthor("red", "red@example.com").call();
            var replaced = orphan.push().setRemote(repository).setCredentialsProvider(credentials)
                    .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("refs/heads/main:refs/heads/main")).call()
                    .iterator().next().getRemoteUpdate("refs/heads/main");
            assertThat(replaced.getStatus()).isNotEqualTo(org.eclipse.jgit.transport.RemoteRefUpdate.Status.OK);

            assertThat(org.eclipse.jgit.api.Git.lsRemoteRepository().setRemote(repository)
                    .setCredentialsProvider(credentials).callAsMap().get("refs/heads/main").getObjectId().name())
                    .as("main is where it was").isEqualTo(commit);
        } finally {
            dev.fuseml.workspace.Workspaces.delete(work);
        }
    }

    @Test
    void aSignedWebhookBodyStartsOneRunWhateverIdItIsReplayedUnderAndNoneWithoutAnId() throws Exception {
        String app = "hooked-" + UUID.randomUUID().toString().substring(0, 8); // the data dir outlives a test run
        var stored = as(red).contentType("application/zip").body(zip("train.py", "print('hooked')\n"))
                .post("/api/v1/orgs/red/apps/" + app + "/codeset").then().statusCode(201).extract();
        var hook = as(red).contentType(ContentType.JSON).body(Map.of("app", app, "provider", "github",
                "repository", stored.path("repository"))).post("/api/v1/orgs/red/webhooks").then().statusCode(201)
                .extract();
        String url = hook.path("url");
        String secret = hook.path("secret");
        byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + stored.path("commit") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
        UnaryOperator<RequestSpecification> signed = r -> r.header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", signature).contentType(ContentType.JSON).body(body);

        signed.apply(given()).post(URI.create(url).getPath()).then().statusCode(400)
                .body("error", containsString("X-GitHub-Delivery"));
        signed.apply(given()).header("X-GitHub-Delivery", "d-1").post(URI.create(url).getPath()).then()
                .statusCode(202).body("result", org.hamcrest.Matchers.equalTo("started"));
        for (String replay : new String[]{"d-1", "d-2", UUID.randomUUID().toString()}) {
            signed.apply(given()).header("X-GitHub-Delivery", replay).post(URI.create(url).getPath()).then()
                    .statusCode(200).body("result", containsString("taken already"));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> as(red).get("/api/v1/orgs/red/runs?app=" + app)
                .then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(1)));
    }

    @Test
    void aTokensLongPollsAreBoundedAndAnotherOrgIsAnsweredWhileTheyWait() throws Exception {
        String run = "polled-" + UUID.randomUUID().toString().substring(0, 8);
        send("dev.fuseml.push", run, "{\"repository\":\"file:///nowhere\",\"commit\":\"main\"}");
        awaitFailed(run, "receive", "http(s) URL");
        long revision = as(red).get("/api/v1/runs/" + run).then().extract().jsonPath().getLong("revision");
        String base = io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port;
        HttpRequest poll = HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + run + "?afterRevision="
                + revision)).header("Authorization", "Bearer " + red).build();
        var open = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
        HttpRequest probe = HttpRequest.newBuilder(poll.uri()).header("Authorization", "Bearer " + red)
                .timeout(Duration.ofSeconds(2)).build();
        // one more than the bound is refused, with the time to wait, once the others are open. A late update of
        // the failed run (its last log lines, say) answers the open ones early: those are opened again.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            long waiting = open.stream().filter(f -> !f.isDone()).count();
            for (long i = waiting; i < dev.fuseml.api.RunsResourceAccess.MAX_POLLS_PER_TOKEN; i++) {
                open.add(HTTP.sendAsync(poll, HttpResponse.BodyHandlers.ofString()));
            }
            try {
                return HTTP.send(probe, HttpResponse.BodyHandlers.ofString()).statusCode() == 429;
            } catch (java.net.http.HttpTimeoutException notRefused) {
                return false; // it was taken as one of the bound: the others had not all arrived yet
            }
        });
        as(blue).get("/api/v1/orgs/blue/apps").then().statusCode(200);
        as(red).get("/api/v1/runs/" + run).then().statusCode(200);
        for (var answer : open) {
            // each is answered: with the run, or (a top-up that came while the bound was full) refused
            assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isIn(200, 429);
        }
    }

    @Test
    void aBrokerOfAnOrgThatDoesNotExistIsRefusedAsAnotherOrgsIs() throws Exception {
        String ingress = as(red).get("/api/v1/status").then().statusCode(200).extract().path("brokers.red");
        for (String org : new String[]{"blue", "no-such-org"}) {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(ingress.replace("/red/",
                    "/" + org + "/"))).header("ce-specversion", "1.0").header("ce-id", "1").header("ce-type", "t")
                    .header("ce-source", "s").header("Authorization", "Bearer " + red)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(org).isEqualTo(403);
            assertThat(answer.body()).contains("cannot send to org '" + org + "'");
        }
        given().get("/q/metrics").then().statusCode(401);
        as(red).get("/q/metrics").then().statusCode(403);
        as(AuthProfile.ADMIN).get("/q/metrics").then().statusCode(200);
    }

    private void awaitFailed(String run, String step, String cause) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> as(red).get("/api/v1/runs/" + run).then()
                .statusCode(200).body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("failedStep", org.hamcrest.Matchers.equalTo(step)).body("cause", containsString(cause)));
    }

    /** A binary-mode CloudEvent of org red, app stolen, to red's broker ingress with red's token. */
    private static HttpResponse<String> send(String type, String run, String data) throws Exception {
        String ingress = as(red).get("/api/v1/status").then().statusCode(200).extract().path("brokers.red");
        return HTTP.send(HttpRequest.newBuilder(URI.create(ingress)).header("ce-specversion", "1.0")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-type", type).header("ce-source", "attacker")
                .header("ce-subject", "stolen").header("ce-fusemlorg", "red").header("ce-fusemlapp", "stolen")
                .header("ce-fusemlrun", run).header("Authorization", "Bearer " + red)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(data)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] zip(String name, String content) throws Exception {
        return dev.fuseml.testing.Zips.zip(name, content);
    }
}
