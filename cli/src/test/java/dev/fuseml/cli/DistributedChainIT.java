package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.fuseml.eventing.CloudEventHttp;
import dev.fuseml.eventing.EventValidator;
import dev.fuseml.eventing.FusemlEvents;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chain with every step function in its own process, as one Knative Service per step would run it: the control
 * plane (API, embedded broker, claims, codesets over git HTTP, artifacts) in one process, and receive, build, train,
 * register and serve each in its own, with its own data directory and nothing but URLs in its environment. Each
 * function reaches the others only through events and the control plane's HTTP API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedChainIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WINE_ROW = "[[7.0, 0.27, 0.36, 20.7, 0.045, 45, 170, 1.001, 3.0, 0.45, 8.8]]";
    private static final List<String> STEPS = List.of("receive", "build", "train", "register", "serve");
    private static final String LEASE = "PT4S";
    /** The deployment's token (every process has it) and the admin's (the control plane has its hash, the CLI it). */
    private static final String SYSTEM_TOKEN = "fuseml_distributed-it-system-token";
    private static final String ADMIN_TOKEN = "fuseml_distributed-it-admin-token";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<CloudEvent> audited = new CopyOnWriteArrayList<>();
    private final List<String> auditProblems = new CopyOnWriteArrayList<>();
    private final Map<String, FunctionProcess> functions = new LinkedHashMap<>();
    private final List<FunctionProcess> extra = new ArrayList<>();
    private Path root;
    private int brokerPort;
    private FunctionProcess controlPlane;
    private HttpServer auditor;
    private CliProcess cli;
    private String wineUrl;
    private String firstRun;

    @BeforeAll
    void startEveryFunctionInItsOwnProcess() throws Exception {
        root = Files.createTempDirectory("fuseml-distributed");
        startAuditor();
        int cpPort = freePort();
        brokerPort = freePort();
        Map<String, Integer> ports = new HashMap<>();
        for (String step : STEPS) {
            ports.put(step, freePort());
        }
        List<String> cpProperties = new ArrayList<>(List.of("-Dfuseml.broker-port=" + brokerPort,
                "-Dfuseml.lease=" + LEASE));
        STEPS.forEach(s -> cpProperties.add("-Dfuseml.steps." + s + "=http://127.0.0.1:" + ports.get(s)));
        controlPlane = new FunctionProcess("control-plane", cpPort, root.resolve("control-plane"), Map.of(
                "FUSEML_SYSTEM_TOKEN", SYSTEM_TOKEN, "FUSEML_ADMIN_TOKEN_SHA256", dev.fuseml.eventing.Tokens.sha256(ADMIN_TOKEN),
                "FUSEML_LOG_JSON", "true"), // as config/ runs it in a pod
                cpProperties);
        controlPlane.start();
        List<CompletableFuture<FunctionProcess>> starting = new ArrayList<>();
        for (String step : STEPS) {
            FunctionProcess f = function(step, ports.get(step), root.resolve(step), brokerPort);
            functions.put(step, f);
            starting.add(CompletableFuture.supplyAsync(() -> start(f)));
        }
        starting.forEach(CompletableFuture::join);

        cli = new CliProcess(Files.createDirectories(root.resolve("cli")));
        new CliConfig(controlPlane.url(), "workspace", null, null, ADMIN_TOKEN).save(cli.config());
        Path audit = Files.writeString(root.resolve("audit.yaml"), "apiVersion: eventing.knative.dev/v1\n"
                + "kind: Trigger\nmetadata: {name: audit-all}\nspec:\n  broker: default\n"
                + "  filters: [{prefix: {type: dev.fuseml.}}]\n  subscriber: {uri: 'http://127.0.0.1:"
                + auditor.getAddress().getPort() + "/'}\n");
        CliProcess.Result applied = cli.run("triggers", "apply", audit.toString());
        assertThat(applied.exitCode()).as(applied.all()).isZero();
    }

    private FunctionProcess function(String step, int port, Path dir, int brokerPort) {
        return new FunctionProcess(step, port, dir, Map.of("FUSEML_CONTROL_PLANE", controlPlane.url(),
                "K_SINK", "http://127.0.0.1:" + brokerPort + "/workspace/default", "FUSEML_LEASE", LEASE,
                "FUSEML_SYSTEM_TOKEN", SYSTEM_TOKEN), List.of());
    }

    private static FunctionProcess start(FunctionProcess f) {
        try {
            return f.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A platform team's subscriber: every event of the chain, checked against the contract's schema. */
    private void startAuditor() throws IOException {
        auditor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auditor.createContext("/", exchange -> {
            try {
                CloudEvent event = CloudEventHttp.read(exchange.getRequestHeaders(),
                        exchange.getRequestBody().readAllBytes());
                audited.add(event);
                JsonNode data = JSON.readTree(event.getData().toBytes());
                for (String problem : EventValidator.problems(event.getType(), data)) {
                    auditProblems.add(event.getType() + " " + data + ": " + problem);
                }
                if (event.getDataSchema() == null || !event.getDataSchema().toString().equals(controlPlane.url()
                        + "/schemas/" + event.getType() + ".json")) {
                    auditProblems.add(event.getType() + " names dataschema " + event.getDataSchema());
                }
                exchange.sendResponseHeaders(202, -1);
            } catch (RuntimeException e) {
                auditProblems.add("unreadable event: " + e);
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        auditor.start();
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (FunctionProcess f : functions.values()) {
            f.stop();
        }
        for (FunctionProcess f : extra) {
            f.stop();
        }
        if (controlPlane != null) {
            controlPlane.stop();
        }
        if (auditor != null) {
            auditor.stop(0);
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Order(0)
    void eachProcessAnswersItsProbesAndTheControlPlaneDocumentsItsApiAndLogsJson() throws Exception {
        for (FunctionProcess f : functions.values()) {
            HttpResponse<String> ready = open(f.url() + "/q/health/ready");
            assertThat(ready.statusCode()).as(f.role + ": " + ready.body()).isEqualTo(200);
            JsonNode checks = JSON.readTree(ready.body()).path("checks");
            assertThat(checks.toString()).as(f.role).contains("control-plane-reachable")
                    .contains(controlPlane.url()).contains("data-dir-writable");
            assertThat(open(f.url() + "/q/health/live").statusCode()).as(f.role).isEqualTo(200);
        }
        HttpResponse<String> live = open(controlPlane.url() + "/q/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("broker-log-writer").contains("embedded");
        HttpResponse<String> openapi = open(controlPlane.url() + "/q/openapi?format=json");
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(openapi.body()).path("paths").has("/api/v1/orgs/{org}/apps")).isTrue();

        List<String> lines = Files.readAllLines(controlPlane.dataDir.resolveSibling("control-plane.log")).stream()
                .filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("the control plane logged its start").isNotEmpty();
        for (String line : lines) {
            JsonNode record = JSON.readTree(line); // fails on a plain-text line
            assertThat(record.has("level") && record.has("message") && record.has("timestamp"))
                    .as("a JSON log record: " + line).isTrue();
        }
        String register = Files.readString(functions.get("register").dataDir.resolveSibling("register.log"));
        assertThat(register).as("plain text unless asked").doesNotContain("\"level\"");
    }

    private HttpResponse<String> open(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void theWineExampleIsTrainedAndServedWithEachStepInItsOwnProcess() throws Exception {
        CliProcess.Result push = cli.run("push", "wine", example().toString());
        System.out.println(push.out()); // the steps' durations, for the record
        assertThat(push.exitCode()).as(push.all()).isZero();
        assertThat(push.out()).contains("Version 1 of wine");
        System.out.println(log(app("wine").path("lastRun").asText()).lines()
                .filter(l -> l.contains("] [")).collect(java.util.stream.Collectors.joining("\n")));
        JsonNode app = app("wine");
        wineUrl = app.path("url").asText();
        firstRun = app.path("lastRun").asText();
        assertThat(predict(wineUrl).path("model_version").asText()).isEqualTo("1");

        // The model reached serve by its artifact URI: the control plane stores it, serve downloaded its own copy,
        // and no function's directory holds another's files.
        Path stored = controlPlane.dataDir.resolve("artifacts/workspace/wine/" + firstRun + "/model/model.pkl");
        Path served = functions.get("serve").dataDir.resolve("serving/models/workspace/wine/1/model.pkl");
        assertThat(stored).isRegularFile();
        assertThat(served).isRegularFile().hasSameBinaryContentAs(stored);
        assertThat(functions.get("train").dataDir.resolve("serving")).doesNotExist();
        assertThat(functions.get("serve").dataDir.resolve("artifacts")).doesNotExist();
        assertThat(functions.get("register").dataDir.resolve("envs")).doesNotExist();
        for (FunctionProcess f : functions.values()) {
            assertThat(f.dataDir.resolve("work/" + firstRun)).as(f.role + " cleaned its scratch").doesNotExist();
            assertThat(f.dataDir.resolve("runs")).as(f.role + " keeps no run records").doesNotExist();
        }
    }

    @Test
    @Order(2)
    void aRePushWithAParameterIsVersionTwoAtTheSameUrl() throws Exception {
        CliProcess.Result push = cli.run("push", "wine", example().toString(), "-P", "alpha=0.9");
        assertThat(push.exitCode()).as(push.all()).isZero();
        JsonNode app = app("wine");
        assertThat(app.path("version").asInt()).isEqualTo(2);
        assertThat(app.path("url").asText()).isEqualTo(wineUrl);
        assertThat(predict(wineUrl).path("model_version").asText()).isEqualTo("2");
    }

    @Test
    @Order(3)
    void theCodesetUrlClonesWithTheSystemsGit() throws Exception {
        String repository = app("wine").path("codeset").asText();
        assertThat(repository).isEqualTo(controlPlane.url() + "/git/workspace/wine.git");
        Path clone = root.resolve("clone");
        ProcessBuilder anonymous = new ProcessBuilder("git", "clone", "-q", repository, root.resolve("anonymous")
                .toString()).redirectErrorStream(true);
        anonymous.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process refused = anonymous.start();
        String refusal = new String(refused.getInputStream().readAllBytes());
        assertThat(refused.waitFor()).as("a clone without a token: " + refusal).isNotZero();
        // The token as git's password, from a credential helper as 'fuseml git-credential' would give it
        Process git = new ProcessBuilder("git", "-c", "credential.helper=!f() { echo username=fuseml; echo password="
                + ADMIN_TOKEN + "; }; f", "clone", "-q", repository, clone.toString()).redirectErrorStream(true)
                .start();
        String output = new String(git.getInputStream().readAllBytes());
        assertThat(git.waitFor()).as(output).isZero();
        assertThat(clone.resolve("train.py")).hasSameTextualContentAs(example().resolve("train.py"));
        assertThat(clone.resolve("MLproject")).isRegularFile();
    }

    @Test
    @Order(3)
    void aFunctionTakesDeliveriesCarryingItsDeploymentsTokenOnly() throws Exception {
        String train = functions.get("train").url() + "/train";
        for (String authorization : new String[]{null, "Bearer " + ADMIN_TOKEN, "Bearer fuseml_wrong"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(train)).header("ce-specversion", "1.0")
                    .header("ce-id", "no-token").header("ce-source", "it").header("ce-type", FusemlEvents.BUILT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            assertThat(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("delivery with " + authorization).isEqualTo(401);
        }
    }

    @Test
    @Order(4)
    void twoReplicasOfBuildGetTheSameEventAndOnlyOneBuilds() throws Exception {
        FunctionProcess second = function("build", freePort(), root.resolve("build-2"), brokerPort);
        extra.add(second.start());
        CloudEvent received = audited.stream().filter(e -> e.getType().equals(FusemlEvents.RECEIVED)
                && firstRun.equals(String.valueOf(e.getExtension(FusemlEvents.EXT_RUN)))).findFirst().orElseThrow();
        String run = "twin-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        CloudEvent twin = io.cloudevents.core.builder.CloudEventBuilder.v1(received)
                .withExtension(FusemlEvents.EXT_APP, "twin").withExtension(FusemlEvents.EXT_RUN, run)
                .withSubject("twin").build();
        List<FunctionProcess> replicas = List.of(functions.get("build"), second);
        List<CompletableFuture<Integer>> deliveries = new ArrayList<>();
        for (FunctionProcess replica : replicas) {
            deliveries.add(CompletableFuture.supplyAsync(() -> deliver(replica.url() + "/build", twin)));
        }
        deliveries.forEach(d -> assertThat(d.join()).as("both replicas acknowledge").isBetween(200, 299));
        await().atMost(Duration.ofMinutes(3)).until(() -> "succeeded".equals(run(run).path("status").asText()));

        JsonNode build = null;
        for (JsonNode c : get("/api/v1/claims/" + run)) {
            if ("build".equals(c.path("step").asText())) {
                build = c;
            }
        }
        assertThat(build).isNotNull();
        assertThat(build.path("attempt").asInt()).as("one start of build: " + build).isEqualTo(1);
        String log = log(run);
        assertThat(log.split("\\[build\\] started", -1)).as(log).hasSize(2);
        String owner = build.path("owner").asText();
        FunctionProcess loser = replicas.stream().filter(r -> !owner.startsWith("pid-" + r.pid() + "-"))
                .findFirst().orElseThrow();
        assertThat(replicas).anySatisfy(r -> assertThat(owner).startsWith("pid-" + r.pid() + "-"));
        assertThat(loser.dataDir.resolve("work/" + run)).doesNotExist();
        if (loser == second) {
            assertThat(second.dataDir.resolve("codeset-cache")).as("the loser fetched nothing").doesNotExist();
            assertThat(second.dataDir.resolve("envs")).as("the loser built nothing").doesNotExist();
        }
        // A delivery that finds the step finished is answered with the stored result (a lost result is recovered
        // so): the replica that lost may emit built again, but the same built, not a second build.
        List<String> built = audited.stream().filter(e -> e.getType().equals(FusemlEvents.BUILT)
                && run.equals(String.valueOf(e.getExtension(FusemlEvents.EXT_RUN))))
                .map(e -> new String(e.getData().toBytes())).distinct().toList();
        assertThat(built).as("one build result").hasSize(1);
    }

    @Test
    @Order(5)
    void killingTheTrainFunctionWhileItTrainsStillEndsWithOneVersion() throws Exception {
        Path slow = slowExample("slow");
        CliProcess.Result push = cli.run("push", "slow", slow.toString(), "--no-follow");
        assertThat(push.exitCode()).as(push.all()).isZero();
        String run = runId(push);
        await().atMost(Duration.ofMinutes(2)).until(() -> log(run).contains("[train] running:"));
        FunctionProcess train = functions.get("train");
        train.kill9();
        train.start();
        await().atMost(Duration.ofMinutes(3)).until(() -> "succeeded".equals(run(run).path("status").asText()));
        String log = log(run);
        assertThat(log).contains("stopped renewing its lease", "[train] started again (attempt 2)");
        JsonNode versions = get("/api/v1/orgs/workspace/apps/slow/models");
        assertThat(versions).hasSize(1);
        assertThat(versions.get(0).path("run").asText()).isEqualTo(run);
        assertThat(predict(app("slow").path("url").asText()).path("model_version").asText()).isEqualTo("1");
    }

    @Test
    @Order(6)
    void killingTheControlPlaneBetweenReceivedAndServedStillEndsServed() throws Exception {
        Path slow = slowExample("slower");
        CliProcess.Result push = cli.run("push", "slower", slow.toString(), "--no-follow");
        assertThat(push.exitCode()).as(push.all()).isZero();
        String run = runId(push);
        await().atMost(Duration.ofMinutes(2)).until(() -> run(run).path("steps").toString().contains("\"receive\"")
                && log(run).contains("[train] running:"));
        controlPlane.kill9();
        controlPlane.start();
        await().atMost(Duration.ofMinutes(3)).until(() -> "succeeded".equals(run(run).path("status").asText()));
        assertThat(get("/api/v1/orgs/workspace/apps/slower/models")).hasSize(1);
        assertThat(predict(app("slower").path("url").asText()).path("model_version").asText()).isEqualTo("1");
    }

    @Test
    @Order(7)
    void everyEventTheChainEmittedConformsToItsSchema() throws Exception {
        assertThat(audited).extracting(CloudEvent::getType).contains(FusemlEvents.PUSH, FusemlEvents.RECEIVED,
                FusemlEvents.BUILT, FusemlEvents.TRAINED, FusemlEvents.REGISTERED, FusemlEvents.SERVED);
        assertThat(auditProblems).isEmpty();
        HttpResponse<String> schema = http.send(HttpRequest.newBuilder(URI.create(audited.get(0).getDataSchema()
                .toString())).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(schema.body()).contains("\"$schema\"");
    }

    private int deliver(String url, CloudEvent event) {
        try {
            return http.send(CloudEventHttp.post(URI.create(url), event, Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + SYSTEM_TOKEN).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The wine example, with training that takes a few seconds longer: time enough to kill something. */
    private Path slowExample(String name) throws IOException {
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(example())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Files.writeString(dir.resolve("train.py"), "import time\ntime.sleep(6)\n"
                + Files.readString(example().resolve("train.py")));
        return dir;
    }

    private static String runId(CliProcess.Result push) {
        return push.out().replaceAll("(?s).*run (\\S+).*", "$1").trim();
    }

    private JsonNode app(String name) throws Exception {
        for (JsonNode app : JSON.readTree(cli.run("apps", "-o", "json").out())) {
            if (name.equals(app.path("name").asText())) {
                return app;
            }
        }
        throw new AssertionError("fuseml apps does not list " + name);
    }

    private JsonNode run(String id) {
        try {
            String body = text("/api/v1/runs/" + id);
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private String log(String run) {
        return text("/api/v1/runs/" + run + "/log");
    }

    /** The control plane's answer, or empty while it does not answer 200 (it may be restarting). */
    private String text(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + path))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(controlPlane.url() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private JsonNode predict(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,11],\"datatype\":\"FP32\",\"data\":" + WINE_ROW
                                + "}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static Path example() {
        return CliProcess.repo().resolve("examples/sklearn-wine");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
