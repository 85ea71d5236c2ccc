package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The orchestrator started as on a cluster ({@code FUSEML_PLATFORM=kubernetes}), its Kubernetes API fabric8's mock
 * server and its orgs' Knative Broker ingress a stand-in HTTP server here: the CLI's push reaches the org's Broker
 * through the control plane, {@code triggers apply} makes Trigger resources, {@code create-org} the org's namespace,
 * and a Broker's delivery is taken with its OIDC token (reviewed by the API server) for its own org only. This is
 * the wiring of the kubernetes platform in one real process; no Knative runs here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesControlPlaneIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ResourceDefinitionContext TRIGGERS = new ResourceDefinitionContext.Builder()
            .withGroup("eventing.knative.dev").withVersion("v1").withKind("Trigger").withPlural("triggers")
            .withNamespaced(true).build();
    private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJicm9rZXIifQ.c2lnbmF0dXJl";

    record Delivered(String path, String authorization, String type, String org) {
    }

    private final List<Delivered> delivered = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private KubernetesMockServer k8s;
    private KubernetesClient client;
    private HttpServer broker;
    private CliProcess cli;

    @BeforeAll
    void startAsOnACluster() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        k8s = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        k8s.init();
        client = k8s.createClient();
        // the API server's answer for the Broker's delivery token: a service account of org workspace, for FuseML
        k8s.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReturn(201,
                new TokenReviewBuilder().withNewStatus().withAuthenticated(true).withAudiences("fuseml")
                        .withNewUser().withUsername("system:serviceaccount:workspace:oidc-fuseml-runs").endUser()
                        .endStatus().build()).always();
        broker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broker.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            delivered.add(new Delivered(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("ce-type"),
                    exchange.getRequestHeaders().getFirst("ce-fusemlorg")));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        broker.start();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>();
        env.put("FUSEML_PLATFORM", "kubernetes");
        env.put("FUSEML_BROKER_URL", "http://127.0.0.1:" + broker.getAddress().getPort());
        env.put("FUSEML_CONTROL_PLANE", "http://127.0.0.1:" + port);
        env.put("KUBERNETES_MASTER", k8s.url("/"));
        env.put("KUBERNETES_NAMESPACE", "fuseml-system");
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        cli = new CliProcess(Files.createTempDirectory("fuseml-k8s-cp"));
        CliProcess.Result install = cli.run(env, "install", "--port", String.valueOf(port));
        assertThat(install.exitCode()).as(install.all() + cli.orchestratorLogTail(40)).isZero();
    }

    @AfterAll
    void stop() throws Exception {
        cli.purge();
        broker.stop(0);
        client.close();
        k8s.destroy();
    }

    @Test
    void aPushGoesThroughTheControlPlaneToTheOrgsKnativeBroker() throws Exception {
        JsonNode status = get("/api/v1/status");
        assertThat(status.path("brokers").path("workspace").asText()).isEqualTo("/api/v1/orgs/workspace/events");
        assertThat(cli.run("status").out()).contains("broker workspace/default: " + config().server()
                + "/api/v1/orgs/workspace/events");

        CliProcess.Result push = cli.run("push", "wine", CliProcess.repo().resolve("examples/sklearn-wine")
                .toString(), "--no-follow");

        assertThat(push.exitCode()).as(push.all()).isZero();
        Delivered event = await().atMost(Duration.ofSeconds(30)).until(() -> delivered.stream()
                .filter(d -> "dev.fuseml.push".equals(d.type())).findFirst(), java.util.Optional::isPresent)
                .orElseThrow();
        assertThat(event.path()).isEqualTo("/workspace/default");
        assertThat(event.org()).isEqualTo("workspace");
        assertThat(event.authorization()).as("a Broker without an OIDC audience gets no token, least of all ours")
                .isNull();
    }

    @Test
    void triggersApplyMakesTriggerResourcesInTheOrgsNamespaceAndCreateOrgItsNamespace() throws Exception {
        Path file = cli.home().resolve("gate.yaml");
        Files.writeString(file, """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata:
                  name: quality-gate
                spec:
                  broker: default
                  filter:
                    attributes:
                      type: dev.fuseml.trained
                  subscriber:
                    uri: http://quality-gate.workspace.svc.cluster.local
                """);
        CliProcess.Result apply = cli.run("triggers", "apply", file.toString());
        assertThat(apply.exitCode()).as(apply.all()).isZero();
        assertThat(apply.out()).contains("trigger.eventing.knative.dev/quality-gate in workspace created");
        assertThat(client.genericKubernetesResources(TRIGGERS).inNamespace("workspace").withName("quality-gate")
                .get()).isNotNull();
        assertThat(cli.run("triggers").out()).contains("quality-gate", "kubectl describe trigger quality-gate");

        CliProcess.Result org = cli.run("create-org", "team-k");
        assertThat(org.exitCode()).as(org.all()).isZero();
        assertThat(client.namespaces().withName("team-k").get()).isNotNull();
        assertThat(client.genericKubernetesResources(TRIGGERS).inNamespace("team-k").withName("fuseml-receive")
                .get()).isNotNull();
    }

    @Test
    void aBrokersDeliveryIsTakenWithItsOidcTokenForItsOwnOrgsEventsOnly() throws Exception {
        String run = "k8s-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> taken = deliver(run, "workspace");
        assertThat(taken.statusCode()).as(taken.body() + cli.orchestratorLogTail(60)).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/runs/" + run).path("app").asText(),
                "wine"::equals);
        // Knative keeps its delivery attempts; what the run projection was delivered is the run's event history
        CliProcess.Result events = cli.run("events", run);
        assertThat(events.exitCode()).as(events.all()).isZero();
        assertThat(events.out()).contains("dev.fuseml.push");

        HttpResponse<String> otherOrg = deliver(run + "-2", "team-k");
        assertThat(otherOrg.statusCode()).isEqualTo(403);
        assertThat(otherOrg.body()).contains("delivers events of that org only");
        HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(config().server()
                + "/api/v1/orgs/workspace/apps")).header("Authorization", "Bearer " + JWT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(403);
        assertThat(deliverWith(run + "-3", "workspace", null).statusCode()).isEqualTo(401);
    }

    /** A step (here in the same process) takes the Broker's delivery too: Funqy reads the body held while reviewed. */
    @Test
    void aStepTakesTheBrokersDeliveryAndAnswersWithItsResult() throws Exception {
        String run = "k8s-step-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(config().server() + "/receive"))
                .header("Authorization", "Bearer " + JWT).header("ce-specversion", "1.0")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-type", "dev.fuseml.push")
                .header("ce-source", "test").header("ce-fusemlorg", "workspace").header("ce-fusemlapp", "ghost")
                .header("ce-fusemlrun", run).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"repository\":\"http://127.0.0.1:1/git/workspace/"
                        + "ghost.git\",\"commit\":\"main\"}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body() + cli.orchestratorLogTail(40)).isEqualTo(200);
        assertThat(answer.headers().firstValue("ce-type")).as(answer.body()).contains("dev.fuseml.failed");
        assertThat(answer.body()).contains("cannot fetch the codeset");
    }

    private HttpResponse<String> deliver(String run, String org) throws IOException, InterruptedException {
        return deliverWith(run, org, "Bearer " + JWT);
    }

    /** What the Broker's fuseml-runs Trigger sends to the run projection. */
    private HttpResponse<String> deliverWith(String run, String org, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config().server() + "/api/v1/projection"))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "dev.fuseml.push").header("ce-source", "test").header("ce-fusemlorg", org)
                .header("ce-fusemlapp", "wine").header("ce-fusemlrun", run).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"repository\":\"http://h/git/" + org
                        + "/wine.git\",\"commit\":\"main\"}"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CliConfig config() throws IOException {
        return CliConfig.load(cli.config());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(config().server() + path))
                .header("Authorization", "Bearer " + config().token()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
