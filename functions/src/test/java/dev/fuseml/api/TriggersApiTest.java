package dev.fuseml.api;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

/** Knative Trigger resources applied to the running orchestrator, and events reaching their subscriber. */
@QuarkusTest
class TriggersApiTest {
    private static String trigger(String name, String filters, int port) {
        return """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: %s, namespace: workspace}
                spec:
                  broker: default
                  filters: %s
                  subscriber: {uri: "http://127.0.0.1:%d/hook"}
                """.formatted(name, filters, port);
    }

    private static byte[] bytes(String yaml) {
        return yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void anAppliedTriggerReceivesTheEventsItsFilterSelects() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer subscriber = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        subscriber.createContext("/hook", exchange -> {
            received.add(exchange.getRequestHeaders().getFirst("ce-id"));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        subscriber.start();
        try {
            given().contentType("application/yaml").body(bytes(trigger("hook",
                    "[{cesql: \"type = 'test.audit' AND n > 1\"}]", subscriber.getAddress().getPort()))).post("/api/v1/triggers").then().statusCode(200)
                    .body("applied", hasItem("trigger.eventing.knative.dev/hook in workspace created"));
            given().get("/api/v1/triggers").then().statusCode(200).body("name", hasItem("hook"))
                    .body("find { it.name == 'hook' }.ready", org.hamcrest.Matchers.is(true));

            String ingress = given().get("/api/v1/status").path("brokers.workspace");
            for (int n = 1; n <= 3; n++) {
                given().header("ce-specversion", "1.0").header("ce-id", "e" + n).header("ce-type", "test.audit")
                        .header("ce-source", "test").header("ce-n", Integer.toString(n)).body("{}")
                        .contentType("application/json").post(ingress).then().statusCode(202);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
            assertThat(received).containsExactlyInAnyOrder("e2", "e3");
        } finally {
            subscriber.stop(0);
            given().delete("/api/v1/triggers/workspace/hook").then().statusCode(204);
        }
        given().delete("/api/v1/triggers/workspace/hook").then().statusCode(404).body("error",
                containsString("fuseml triggers"));
    }

    @Test
    void anInvalidFileIsRefusedWholeWithEveryProblem() {
        String file = trigger("good", "[{exact: {type: x}}]", 1) + "---\n"
                + trigger("bad", "[{regex: {type: x}}]", 1) + "---\n"
                + "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: worse}\nspec: {broker: default}\n";
        given().contentType("application/yaml").body(bytes(file)).post("/api/v1/triggers").then().statusCode(400)
                .body("error", containsString("nothing was applied"))
                .body("problems", hasSize(2))
                .body("problems[0]", containsString("Trigger bad: spec.filters[0].regex: unknown field"))
                .body("problems[1]", containsString("Trigger worse: spec.subscriber.uri: required"));
        given().get("/api/v1/triggers").then().body("name", org.hamcrest.Matchers.not(hasItem("good")));
    }

    @Test
    void anOrgOverridesADefaultTriggerInThatOrgOnlyAndDeletingTheOverrideRestoresIt() {
        // register takes approved models in this org: the subscriber is FuseML's own register, named by ref
        String override = """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: fuseml-register, namespace: workspace}
                spec:
                  broker: default
                  filter: {attributes: {type: dev.fuseml.trained.approved}}
                  subscriber:
                    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: fuseml-register, namespace: fuseml-system}
                    uri: /register
                """;
        given().contentType("application/yaml").body(bytes(override)).post("/api/v1/triggers").then().statusCode(200)
                .body("applied[0]", containsString("overrides the default chain's fuseml-register"));
        given().get("/api/v1/triggers").then().statusCode(200)
                .body("find { it.name == 'fuseml-register' && it.builtIn }.reason",
                        containsString("overridden in workspace"))
                .body("find { it.name == 'fuseml-register' && !it.builtIn }.subscriber",
                        org.hamcrest.Matchers.endsWith("/register"))
                .body("find { it.name == 'fuseml-register' && !it.builtIn }.reason",
                        containsString("overrides the default chain's fuseml-register in this org"));
        given().delete("/api/v1/triggers/workspace/fuseml-register").then().statusCode(204);
        given().get("/api/v1/triggers").then().body("find { it.name == 'fuseml-register' && it.builtIn }.reason",
                org.hamcrest.Matchers.not(containsString("overridden")));
    }

    @Test
    void aHugeFileIsRefusedWithTheLimitBeforeItIsParsed() {
        String huge = "# " + "x".repeat(TriggersResource.MAX_YAML_CHARS) + "\n";
        given().contentType("application/yaml").body(bytes(huge)).post("/api/v1/triggers").then().statusCode(413)
                .body("error", containsString("smaller files"));
    }

    @Test
    void theStatusTellsWhereEverythingIs() {
        given().get("/api/v1/status").then().statusCode(200).body("version", containsString("."))
                .body("url", containsString("http://127.0.0.1:")).body("pid", org.hamcrest.Matchers.notNullValue())
                .body("brokers.workspace", containsString("/workspace/default"));
    }
}
