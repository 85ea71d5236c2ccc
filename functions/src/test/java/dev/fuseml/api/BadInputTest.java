package dev.fuseml.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every network entry point fed something wrong, one named case each: the status, a message that names the problem
 * (and where there is one, the fix), an answer in JSON, and nothing left half-written on disk.
 */
@QuarkusTest
class BadInputTest {
    /** One bad request: where it goes, what it sends, what must come back, and what must not be on disk after. */
    record Case(String name, String method, String path, String contentType, byte[] body, Map<String, String> headers,
            int status, String message, Predicate<Path> leftNothing) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String CE = "ce:";
    private static final Map<String, String> RUN = Map.of("ce-specversion", "1.0", "ce-id", "bad-1", "ce-source",
            "test", "ce-fusemlorg", "workspace", "ce-fusemlapp", "bad-input", "ce-fusemlrun",
            "bad-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    private static final Predicate<Path> ANYTHING = dir -> true;

    private static Case c(String name, String method, String path, String type, Object body, int status,
            String message) {
        return c(name, method, path, type, body, Map.of(), status, message, ANYTHING);
    }

    private static Case c(String name, String method, String path, String type, Object body,
            Map<String, String> headers, int status, String message, Predicate<Path> leftNothing) {
        byte[] bytes = body == null ? null : body instanceof byte[] b ? b : body.toString().getBytes();
        return new Case(name, method, path, type, bytes, headers, status, message, leftNothing);
    }

    private static byte[] zip(String... namesAndContents) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndContents[i]));
                zip.write(namesAndContents[i + 1].getBytes());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static Predicate<Path> noUploadLeft() {
        return dir -> !Files.isDirectory(dir.resolve("uploads")) || list(dir.resolve("uploads")).stream()
                .noneMatch(p -> p.getFileName().toString().startsWith("bad-input"));
    }

    private static Predicate<Path> noFile(String relative) {
        return dir -> !Files.exists(dir.resolve(relative));
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Case> cases() throws Exception {
        String json = "application/json";
        String yaml = "application/yaml";
        String zip = "application/zip";
        String trigger = "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: NAME}\nspec:\n"
                + "  broker: default\n  subscriber: {uri: 'http://127.0.0.1:9/'}\n";
        Map<String, String> push = Map.of("ce-type", "dev.fuseml.push");
        return Stream.of(
                // orgs
                c("an org without a body", "POST", "/api/v1/orgs", json, null, 400, "ORG"),
                c("an org whose body is not JSON", "POST", "/api/v1/orgs", json, "{name", 400, ""),
                c("an org name against the rule", "POST", "/api/v1/orgs", json, "{\"name\":\"Team_A\"}", Map.of(),
                        400, "DNS-1123", noFile("orgs/Team_A.json")),
                c("apps of an org that does not exist", "GET", "/api/v1/orgs/nobody/apps", null, null, 404,
                        "fuseml orgs"),
                c("an app that does not exist", "GET", "/api/v1/orgs/workspace/apps/none", null, null, 404,
                        "fuseml apps"),
                c("deleting an app that does not exist", "DELETE", "/api/v1/orgs/workspace/apps/none", null, null,
                        404, "does not exist"),
                // runs
                c("a run that does not exist", "GET", "/api/v1/runs/none", null, null, 404, "does not exist"),
                c("the events of a run that does not exist", "GET", "/api/v1/runs/none/events", null, null, 404,
                        "does not exist"),
                c("the log of a run that does not exist", "GET", "/api/v1/runs/none/log", null, null, 404,
                        "does not exist"),
                c("log lines for a run id that is a path", "POST", "/api/v1/runs/..%2Fx/log", "text/plain", "x",
                        404, "does not exist"),
                c("an API path that does not exist", "GET", "/api/v1/nothing/here", null, null, 404,
                        "nothing at this path"),
                // code
                c("code that is not a zip", "POST", "/api/v1/orgs/workspace/apps/bad-input/codeset", zip,
                        "plain text", Map.of(), 400, "zip", noUploadLeft()),
                c("a zip with an entry outside the project", "POST", "/api/v1/orgs/workspace/apps/bad-input/codeset",
                        zip, zip("../evil.py", "x"), Map.of(), 400, "points outside the project", noUploadLeft()),
                c("an empty zip", "POST", "/api/v1/orgs/workspace/apps/bad-input/codeset", zip, zip(), Map.of(), 400,
                        "empty", noUploadLeft()),
                c("code for an org that does not exist", "POST", "/api/v1/orgs/nobody/apps/a/codeset", zip,
                        zip("train.py", "x"), 404, "fuseml create-org nobody"),
                c("code for an app name against the rule", "POST", "/api/v1/orgs/workspace/apps/Bad_App/codeset",
                        zip, zip("train.py", "x"), Map.of(), 400, "DNS-1123", noFile("codesets/workspace/Bad_App.git")),
                // artifacts
                c("an artifact of an org name against the rule", "PUT", "/api/v1/artifacts/Bad/a/r/model/MLmodel",
                        "application/octet-stream", "x", 400, "DNS-1123"),
                c("an artifact that does not exist", "GET", "/api/v1/artifacts/workspace/a/r/model", null, null,
                        404, "does not exist"),
                c("an artifact file that does not exist", "GET", "/api/v1/artifacts/workspace/a/r/model/MLmodel",
                        null, null, 404, "does not exist"),
                // claims
                // tokens, prediction tokens, the registry, webhooks
                c("a token for an org that does not exist", "POST", "/api/v1/tokens", json,
                        "{\"org\":\"no-such-org\"}", 404, "create it first"),
                c("a token without an org", "POST", "/api/v1/tokens", json, "{}", 400, "send {"),
                c("a token description on two lines", "POST", "/api/v1/tokens", json,
                        "{\"org\":\"workspace\",\"description\":\"a\\nb\"}", 400, "one line"),
                c("deleting a token that does not exist", "DELETE", "/api/v1/tokens/tok-00000000", null, null, 404,
                        "fuseml tokens lists them"),
                c("a prediction token for an app that does not exist", "POST",
                        "/api/v1/orgs/workspace/apps/no-such-app/prediction-token", json, "{}", 404, "does not exist"),
                c("an alias for an app that does not exist", "PUT", "/api/v1/orgs/workspace/apps/no-such-app/aliases/a",
                        json, "{\"version\":1}", 404, "does not exist"),
                c("serving a version of an app that does not exist", "POST",
                        "/api/v1/orgs/workspace/apps/no-such-app/serve", json, "{\"version\":1}", 404,
                        "does not exist"),
                c("a webhook of a host FuseML does not know", "POST", "/api/v1/orgs/workspace/webhooks", json,
                        "{\"app\":\"w\",\"provider\":\"bitbucket\",\"repository\":\"https://h.example/r.git\"}",
                        Map.of(), 400, "github, gitea or gitlab", noFile("webhooks")),
                c("a webhook that would read this machine's disk", "POST", "/api/v1/orgs/workspace/webhooks", json,
                        "{\"app\":\"w\",\"provider\":\"github\",\"repository\":\"file:///etc\"}", Map.of(), 400,
                        "http(s) URL", noFile("webhooks")),
                c("a webhook branch that climbs out", "POST", "/api/v1/orgs/workspace/webhooks", json,
                        "{\"app\":\"w\",\"provider\":\"github\",\"repository\":\"https://h.example/r.git\","
                                + "\"branch\":\"../x\"}", Map.of(), 400, "invalid branch", noFile("webhooks")),
                c("a delivery to a webhook that does not exist", "POST", "/api/v1/webhooks/wh-000000000000", json,
                        "{}", 404, "no webhook"),
                c("deleting a webhook that does not exist", "DELETE", "/api/v1/orgs/workspace/webhooks/wh-000000000000",
                        null, null, 404, "fuseml webhooks lists them"),
                c("a claim without an owner", "POST", "/api/v1/claims/bad-run/train", json, "{}", 400, "owner"),
                c("a claim of a step name against the rule", "POST", "/api/v1/claims/bad-run/Train%20Step", json,
                        "{\"org\":\"workspace\",\"app\":\"a\",\"owner\":\"o\",\"input\":{\"type\":\"t\"}}", 400,
                        "invalid step name"),
                c("a claim for an app name against the rule", "POST", "/api/v1/claims/bad-run/train", json,
                        "{\"org\":\"workspace\",\"app\":\"A_B\",\"owner\":\"o\",\"input\":{\"type\":\"t\"}}", 400,
                        "DNS-1123"),
                c("log lines over the body limit", "POST", "/api/v1/runs/bad-run/log", "text/plain",
                        new byte[(4 << 20) + 1], Map.of(), 413, "larger than 4 MiB", noFile("runs/bad-run.log")),
                c("a claim over the body limit", "POST", "/api/v1/claims/bad-run/train", json,
                        new byte[(4 << 20) + 1], 413, "send large data by reference"),
                c("a delivery to a step over the body limit", "POST", "/train", json, new byte[(4 << 20) + 1],
                        merge(RUN, Map.of("ce-type", "dev.fuseml.built")), 413, "larger than 4 MiB", ANYTHING),
                c("renewing a lease nobody holds", "POST", "/api/v1/claims/bad-run/train/renew", json,
                        "{\"owner\":\"o\"}", 409, "not held"),
                c("completing without a result", "POST", "/api/v1/claims/bad-run/train/complete", json,
                        "{\"owner\":\"o\"}", 400, "output"),
                c("completing a step nobody holds", "POST", "/api/v1/claims/bad-run/train/complete", json,
                        "{\"owner\":\"o\",\"succeeded\":true,\"output\":{\"type\":\"t\"}}", 409, "another owner"),
                // registry
                c("registering without a model", "POST", "/api/v1/orgs/workspace/apps/bad-input/models", json,
                        "{\"run\":\"r\"}", 400, "modelUri"),
                c("registering a local directory", "POST", "/api/v1/orgs/workspace/apps/bad-input/models", json,
                        "{\"run\":\"r\",\"modelUri\":\"/tmp/model\"}", Map.of(), 400, "fuseml-artifacts:/",
                        noFile("models/workspace/bad-input/1.json")),
                c("registering an artifact that holds no model", "POST",
                        "/api/v1/orgs/workspace/apps/bad-input/models", json,
                        "{\"run\":\"r\",\"modelUri\":\"fuseml-artifacts:/workspace/bad-input/r/model\"}", Map.of(), 400,
                        "no MLmodel file", noFile("models/workspace/bad-input/1.json")),
                c("a version that does not exist", "GET", "/api/v1/orgs/workspace/apps/bad-input/models/7", null,
                        null, 404, "does not exist"),
                // events a client posts through the control plane (a cluster's broker is not reachable outside)
                c("an event for the org's broker that is not a CloudEvent", "POST",
                        "/api/v1/orgs/workspace/events", json, "{}", 400, "ce-specversion"),
                c("an event without the org extension", "POST", "/api/v1/orgs/workspace/events", json, "{}",
                        Map.of("ce-specversion", "1.0", "ce-id", "e-1", "ce-source", "test", "ce-type",
                                "dev.fuseml.push"), 400, "set it to 'workspace'", ANYTHING),
                c("an event of another org posted to this org's broker", "POST", "/api/v1/orgs/workspace/events",
                        json, "{}", Map.of("ce-specversion", "1.0", "ce-id", "e-2", "ce-source", "test", "ce-type",
                                "dev.fuseml.push", "ce-fusemlorg", "org2"), 400,
                        "post it to /api/v1/orgs/org2/events", ANYTHING),
                c("an event over the body limit", "POST", "/api/v1/orgs/workspace/events", json,
                        new byte[(4 << 20) + 1], merge(RUN, push), 413, "larger than 4 MiB", ANYTHING),
                // triggers
                c("a trigger file that declares nothing", "POST", "/api/v1/triggers", yaml, "", 400,
                        "declares nothing"),
                c("a trigger with a filter dialect that does not exist", "POST", "/api/v1/triggers", yaml,
                        trigger.replace("NAME", "no-regex") + "  filters: [{regex: {type: x}}]\n", Map.of(), 400,
                        "spec.filters[0].regex: unknown field",
                        noFile("definitions/trigger.workspace.no-regex.yaml")),
                c("a trigger whose subscriber is a ref nothing resolves", "POST", "/api/v1/triggers", yaml,
                        "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: by-ref}\nspec:\n"
                                + "  broker: default\n  subscriber: {ref: {apiVersion: v1, kind: Service, name: "
                                + "elsewhere}}\n", Map.of(), 400, "give spec.subscriber.uri",
                        noFile("definitions/trigger.workspace.by-ref.yaml")),
                c("a trigger file over the size limit", "POST", "/api/v1/triggers", yaml,
                        "# " + "x".repeat(TriggersResource.MAX_YAML_CHARS), 413, "smaller files"),
                c("a trigger file that is not YAML", "POST", "/api/v1/triggers", yaml, "{[: :", 400, ""),
                c("deleting a trigger that does not exist", "DELETE", "/api/v1/triggers/workspace/none", null, null,
                        404, "fuseml triggers"),
                // subscribers of the control plane
                c("the run projection given no CloudEvent", "POST", "/api/v1/projection", json, "{}", 400,
                        "not a CloudEvent"),
                c("the dead-letter sink given no CloudEvent", "POST", "/api/v1/deadletter", json, "{}", 400,
                        "not a CloudEvent"),
                c("a schema of a type that is not in the contract", "GET", "/schemas/dev.fuseml.nothing.json", null,
                        null, 404, "dev.fuseml.push"),
                // step functions, as the broker reaches them
                c("a delivery to a step without the run's identity", "POST", "/receive", json, "{}",
                        Map.of("ce-specversion", "1.0", "ce-id", "1", "ce-type", "dev.fuseml.push", "ce-source", "t"),
                        400, "run extension attributes", ANYTHING),
                c("a delivery to a step with a run id that is a path", "POST", "/train", json, "{}",
                        merge(RUN, Map.of("ce-type", "dev.fuseml.built", "ce-fusemlrun", "..%2Fetc")), 400,
                        "invalid run id", ANYTHING),
                c("a delivery whose header escapes are not text", "POST", "/build", json, "{}",
                        merge(RUN, Map.of("ce-type", "dev.fuseml.received", "ce-fusemlapp", "%C3%28")), 400,
                        "not UTF-8", ANYTHING),
                c("a push without code", "POST", "/receive", json, "{}", merge(RUN, push), 200,
                        "names no repository and commit", ANYTHING),
                c("a push without code whose headers are capitalised as Go and Python send them", "POST",
                        "/receive", json, "{}", Map.of("Ce-Specversion", "1.0", "Ce-Id", "bad-2", "Ce-Source", "test",
                                "Ce-Type", "dev.fuseml.push", "Ce-Fusemlorg", "workspace", "Ce-Fusemlapp",
                                "bad-input", "Ce-Fusemlrun", "bad-" + java.util.UUID.randomUUID().toString()
                                        .substring(0, 8)), 200, "names no repository and commit", ANYTHING),
                // the broker's ingress
                c(CE + "an event without specversion", "POST", "/workspace/default", json, "{}",
                        Map.of("ce-id", "1", "ce-type", "t", "ce-source", "s"), 400, "ce-specversion", ANYTHING),
                c(CE + "a structured event that is not JSON", "POST", "/workspace/default",
                        "application/cloudevents+json", "{\"specversion\":\"1.0\", broken", 400, "invalid CloudEvent"),
                c(CE + "JSON data that is not JSON", "POST", "/workspace/default", json, "not json",
                        Map.of("ce-specversion", "1.0", "ce-id", "1", "ce-type", "t", "ce-source", "s"), 400,
                        "not JSON", ANYTHING),
                c(CE + "an event over the size limit", "POST", "/workspace/default", "application/octet-stream",
                        new byte[(4 << 20) + 1], Map.of("ce-specversion", "1.0", "ce-id", "1", "ce-type", "t",
                                "ce-source", "s"), 413, "larger than", ANYTHING),
                c(CE + "an event for an org that does not exist", "POST", "/nobody/default", json, "{}",
                        Map.of("ce-specversion", "1.0", "ce-id", "1", "ce-type", "t", "ce-source", "s"), 404,
                        "create the org", ANYTHING),
                c(CE + "a GET of the ingress", "GET", "/workspace/default", null, null, 405, "POST"),
                c(CE + "an event with an empty source", "POST", "/workspace/default", json, "{}",
                        Map.of("ce-specversion", "1.0", "ce-id", "1", "ce-type", "t", "ce-source", ""), 400,
                        "source is empty", ANYTHING),
                c(CE + "an event with an empty id", "POST", "/workspace/default", json, "{}",
                        Map.of("ce-specversion", "1.0", "ce-id", "", "ce-type", "t", "ce-source", "s"), 400,
                        "id is empty", ANYTHING),
                c("a delivery to a step with an empty source", "POST", "/register", json, "{}",
                        merge(RUN, Map.of("ce-type", "dev.fuseml.trained", "ce-source", "")), 400,
                        "source is empty or missing", ANYTHING),
                c("a large form body to a webhook", "POST", "/api/v1/webhooks/wh-000000000000",
                        "application/x-www-form-urlencoded", "payload=" + "x".repeat(4000), 415,
                        "takes no form body"),
                c("a form body to the org's events path", "POST", "/api/v1/orgs/workspace/events",
                        "application/x-www-form-urlencoded", "a=" + "x".repeat(3000), 415, "takes no form body"),
                c("a multipart body to an artifact", "PUT", "/api/v1/artifacts/workspace/app/app-1/model/MLmodel",
                        "multipart/form-data; boundary=x", "--x\r\n\r\n" + "y".repeat(3000) + "\r\n--x--\r\n", 415,
                        "takes no form body"));
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new java.util.HashMap<>(a);
        all.putAll(b);
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithTheRightStatusAndAMessageAndLeavesNothingHalfWritten(Case c) {
        String status = given().get("/api/v1/status").then().statusCode(200).extract().asString();
        Path dataDir = Path.of(io.restassured.path.json.JsonPath.from(status).getString("dataDir"));
        RequestSpecification request = given().headers(c.headers());
        if (c.contentType() != null) {
            request = request.contentType(c.contentType());
        }
        if (c.body() != null) {
            // REST Assured encodes a form body itself, from text only
            request = c.contentType() != null && c.contentType().startsWith("application/x-www-form-urlencoded")
                    ? request.body(new String(c.body(), java.nio.charset.StandardCharsets.UTF_8))
                    : request.body(c.body());
        }
        String target = c.path();
        if (c.name().startsWith(CE)) {
            String ingress = io.restassured.path.json.JsonPath.from(status).getString("brokers.workspace");
            target = ingress.replaceAll("/workspace/default$", "") + c.path();
        }
        Response response = request.request(c.method(), target);
        assertThat(response.statusCode()).as(c.name() + ": " + response.asString()).isEqualTo(c.status());
        String body = response.asString();
        assertThat(body).as(c.name()).contains(c.message());
        if (c.status() >= 400) {
            assertThat(response.contentType()).as(c.name() + ": errors are JSON").startsWith("application/json");
            assertThat(body).contains("\"error\"");
        }
        assertThat(c.leftNothing().test(dataDir)).as(c.name() + ": nothing left half-written").isTrue();
    }

    @org.junit.jupiter.api.Test
    void aChunkedBodyToASmallBodyPathIs411BeforeAnythingIsRead() throws Exception {
        java.net.URI base = java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port);
        // an InputStream of unknown length goes out chunked
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
                java.net.http.HttpRequest.newBuilder(base.resolve("/api/v1/runs/bad-run/log"))
                        .header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers
                                .ofInputStream(() -> new java.io.ByteArrayInputStream("a line\n".getBytes())))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(411);
        assertThat(response.body()).contains("Content-Length", "\"error\"");
        // the same client, the same request with an h2c upgrade offer: answered over HTTP/1.1, not a 500
        java.net.http.HttpResponse<String> upgrade = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(base.resolve("/api/v1/orgs")).header("Content-Type",
                        "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(upgrade.statusCode()).as(upgrade.body()).isEqualTo(400);
    }

    @org.junit.jupiter.api.Test
    void steeringTheRegistryRefusesWhatCannotBeServedAndStartsNoRun() {
        String app = "steer-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        // the app exists once the run projection has seen its push
        given().header("ce-specversion", "1.0").header("ce-id", app).header("ce-type", "dev.fuseml.push")
                .header("ce-source", "test").header("ce-fusemlorg", "workspace").header("ce-fusemlapp", app)
                .header("ce-fusemlrun", app + "-1").contentType("application/json").body("{}")
                .post("/api/v1/projection").then().statusCode(org.hamcrest.Matchers.lessThan(300));
        String base = "/api/v1/orgs/workspace/apps/" + app;
        given().contentType("application/json").body("{}").post(base + "/serve").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("send one of"));
        given().contentType("application/json").body("{\"version\":1,\"alias\":\"a\"}").post(base + "/serve")
                .then().statusCode(400);
        given().contentType("application/json").body("{\"rollback\":true}").post(base + "/serve").then()
                .statusCode(409).body("error", org.hamcrest.Matchers.containsString("nothing to roll back"));
        given().contentType("application/json").body("{\"version\":7}").post(base + "/serve").then()
                .statusCode(404).body("error", org.hamcrest.Matchers.containsString("fuseml models"));
        given().contentType("application/json").body("{\"alias\":\"nobody\"}").post(base + "/serve").then()
                .statusCode(404).body("error", org.hamcrest.Matchers.containsString("has no alias 'nobody'"));
        given().contentType("application/json").body("{\"version\":7}").put(base + "/aliases/champion").then()
                .statusCode(404).body("error", org.hamcrest.Matchers.containsString("does not exist"));
        given().contentType("application/json").body("{\"version\":1}").put(base + "/aliases/Bad_Alias").then()
                .statusCode(400).body("error", org.hamcrest.Matchers.containsString("DNS-1123"));
        given().contentType("application/json").body("{}").put(base + "/aliases/champion").then().statusCode(400);
        given().delete(base + "/aliases/champion").then().statusCode(404);
        given().get(base + "/registry").then().statusCode(200).body("aliases.size()", org.hamcrest.Matchers.is(0));
        given().get("/api/v1/orgs/workspace/runs?app=" + app).then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.is(1)); // only the push: no serving run was started
    }

    @org.junit.jupiter.api.Test
    void aBranchToFollowMustBeOneGitTakesAndAGoodOneBecomesTheCodesetsHead() throws Exception {
        String app = "follow-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        given().header("ce-specversion", "1.0").header("ce-id", app).header("ce-type", "dev.fuseml.push")
                .header("ce-source", "test").header("ce-fusemlorg", "workspace").header("ce-fusemlapp", app)
                .header("ce-fusemlrun", app + "-1").contentType("application/json").body("{}")
                .post("/api/v1/projection").then().statusCode(org.hamcrest.Matchers.lessThan(300));
        String branch = "/api/v1/orgs/workspace/apps/" + app + "/branch";
        for (String bad : java.util.List.of("a..b", "-x", "with space", "x".repeat(101), "ends.lock")) {
            given().contentType("application/json").body(java.util.Map.of("branch", bad)).put(branch).then()
                    .statusCode(400).body("error", org.hamcrest.Matchers.containsString("not a branch name git takes"));
        }
        given().contentType("application/json").body("{}").put(branch).then().statusCode(400);
        given().contentType("application/json").body("{\"branch\":\"release/2.x\"}").put(branch).then()
                .statusCode(200).body("branch", org.hamcrest.Matchers.is("release/2.x"));
        java.nio.file.Path head = java.nio.file.Path.of("target/test-data/codesets/workspace", app + ".git", "HEAD");
        assertThat(java.nio.file.Files.readString(head).trim()).isEqualTo("ref: refs/heads/release/2.x");
        given().contentType("application/json").body("{\"branch\":\"main\"}")
                .put("/api/v1/orgs/workspace/apps/none/branch").then().statusCode(404);
    }
}
