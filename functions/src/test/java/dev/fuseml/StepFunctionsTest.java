package dev.fuseml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.build.BuildFunction;
import dev.fuseml.receive.ReceiveFunction;
import dev.fuseml.eventing.EventValidator;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Deleted;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.mock.FakeClaims;
import dev.fuseml.mock.FakeCodesetSource;
import dev.fuseml.mock.FakeEventSink;
import dev.fuseml.mock.FakeModelRegistry;
import dev.fuseml.mock.FakeStepLog;
import dev.fuseml.register.RegisterFunction;
import dev.fuseml.serve.ServeFunction;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepRunner;
import dev.fuseml.train.TrainFunction;
import dev.fuseml.workspace.Workspaces;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each step function on its own, with fakes of what it reaches (claims, log, sink, codesets, the platform): what it
 * takes from its input event, what it hands to the platform, and that what it emits conforms to the contract.
 */
class StepFunctionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RunRef RUN = new RunRef("workspace", "wine", "wine-1");
    private static final String REPO = "http://127.0.0.1:8080/git/workspace/wine.git";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String MODEL = "fuseml-artifacts:/workspace/wine/wine-1/model";
    private static final String MLPROJECT = "entry_points:\n  main:\n    parameters:\n      alpha: {type: float, "
            + "default: 0.5}\n    command: python train.py {alpha}\n";

    @TempDir
    Path dir;
    private final FakeClaims claims = new FakeClaims(Duration.ofSeconds(30));
    private final FakeStepLog log = new FakeStepLog();
    private final FakeEventSink sink = new FakeEventSink();
    private final StepRunner steps = new StepRunner(claims, log, sink, () -> "http://127.0.0.1:8080",
            Duration.ofSeconds(30), "test", java.util.Map.of(), Duration.ofSeconds(30),
            new dev.fuseml.reference.OrgReferences());

    @AfterEach
    void close() {
        steps.close();
    }

    private static <T> CloudEvent<T> event(String type, T data) {
        return CloudEventBuilder.create().id("e1").type(type).source("test").extensions(RUN.extensions()).build(data);
    }

    private static JsonNode conforming(String type, Object data) {
        JsonNode node = JSON.valueToTree(data);
        assertThat(EventValidator.problems(type, node)).as(type + " " + node).isEmpty();
        return node;
    }

    private FakeEventSink.Emitted awaitEmitted() {
        await().atMost(Duration.ofSeconds(5)).until(() -> !sink.emitted.isEmpty());
        return sink.emitted.get(0);
    }

    @Test
    void receiveChecksTheCommitAndNamesWhatWillRunWithDefaultsFilledIn() {
        FakeCodesetSource codesets = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject", MLPROJECT,
                "train.py", "print(1)"));
        ReceiveFunction receive = new ReceiveFunction(steps, codesets, new Workspaces(dir), log);
        CloudEvent<Object> reply = receive.receive(event(FusemlEvents.PUSH, new Push(REPO, COMMIT, Map.of(), null)));
        assertThat(reply.type()).isEqualTo(FusemlEvents.RECEIVED);
        JsonNode data = conforming(FusemlEvents.RECEIVED, reply.data());
        assertThat(data.path("params").path("alpha").asText()).isEqualTo("0.5");
        assertThat(data.path("command").asText()).isEqualTo("python train.py 0.5");
        assertThat(dir.resolve("wine-1")).doesNotExist(); // scratch is cleaned
    }

    @Test
    void receiveRefusesAProjectWithoutEntryPointAndAPushWithoutCode() {
        FakeCodesetSource codesets = new FakeCodesetSource().with(REPO, COMMIT, Map.of("notes.txt", "hi"));
        ReceiveFunction receive = new ReceiveFunction(steps, codesets, new Workspaces(dir), log);
        CloudEvent<Object> refused = receive.receive(event(FusemlEvents.PUSH, new Push(REPO, COMMIT, null, null)));
        assertThat(refused.type()).isEqualTo(FusemlEvents.FAILED);
        assertThat(conforming(FusemlEvents.FAILED, refused.data()).path("cause").asText())
                .contains("no entry point", "train.py");

        CloudEvent<Push> empty = CloudEventBuilder.create().id("e2").type(FusemlEvents.PUSH).source("test")
                .extensions(new RunRef("workspace", "wine", "wine-2").extensions()).build(new Push(null, null, null,
                        null));
        assertThat(JSON.valueToTree(receive.receive(empty).data()).path("cause").asText())
                .contains("names no repository and commit");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({
            "file:///var/lib/fuseml/codesets/workspace/wine.git, must be an http(s) URL",
            "http://127.0.0.1:8080/git/other-org/wine.git, codeset of org 'other-org'"})
    void receiveFetchesNoLocalFileAndNoCodesetOfAnotherOrg(String repository, String cause) {
        FakeCodesetSource codesets = new FakeCodesetSource().with(repository, COMMIT, Map.of("train.py", "print(1)"));
        ReceiveFunction receive = new ReceiveFunction(steps, codesets, new Workspaces(dir), log);
        CloudEvent<Object> refused = receive.receive(event(FusemlEvents.PUSH, new Push(repository, COMMIT, null,
                null)));
        assertThat(refused.type()).isEqualTo(FusemlEvents.FAILED);
        assertThat(JSON.valueToTree(refused.data()).path("cause").asText()).contains(cause);
        assertThat(codesets.checkouts).isZero();
    }

    /** fuseml push --serve-target travels receive, build and train to the version's serving settings. */
    @Test
    void aPushedServeTargetTravelsToTheTrainerAndAnUnknownOneFailsAtReceive() {
        FakeCodesetSource codesets = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject", MLPROJECT,
                "train.py", "print(1)"));
        ReceiveFunction receive = new ReceiveFunction(steps, codesets, new Workspaces(dir), log);
        JsonNode received = conforming(FusemlEvents.RECEIVED, receive.receive(event(FusemlEvents.PUSH,
                new Push(REPO, COMMIT, Map.of(), null, "seldon"))).data());
        assertThat(received.path("serveTarget").asText()).isEqualTo("seldon");
        CloudEvent<Object> refused = receive.receive(CloudEventBuilder.create().id("e9").type(FusemlEvents.PUSH)
                .source("test").extensions(new RunRef("workspace", "wine", "wine-9").extensions())
                .build(new Push(REPO, COMMIT, Map.of(), null, "torchserve")));
        assertThat(JSON.valueToTree(refused.data()).path("cause").asText()).contains("'torchserve'",
                "knative, kserve, seldon");

        dev.fuseml.mock.FakeEnvironmentBuilder builder = new dev.fuseml.mock.FakeEnvironmentBuilder();
        new BuildFunction(steps, builder).build(event(FusemlEvents.RECEIVED, new Received(REPO, COMMIT,
                Map.of("alpha", "0.5"), null, "python train.py 0.5", "seldon")));
        JsonNode built = conforming(FusemlEvents.BUILT, awaitEmitted().data());
        assertThat(built.path("serveTarget").asText()).isEqualTo("seldon");

        dev.fuseml.mock.FakeTrainer trainer = new dev.fuseml.mock.FakeTrainer();
        new TrainFunction(steps, trainer).train(event(FusemlEvents.BUILT, new Built(REPO, COMMIT,
                Map.of("alpha", "0.5"), null, "venv:workspace/0123456789abcdef", "seldon")));
        await().atMost(Duration.ofSeconds(5)).until(() -> !trainer.jobs.isEmpty());
        assertThat(trainer.jobs.get(0).serveTarget()).isEqualTo("seldon");
    }

    @Test
    void buildHandsTheCodeByReferenceToTheBuilderAndEmitsTheEnvironmentReference() {
        dev.fuseml.mock.FakeEnvironmentBuilder builder = new dev.fuseml.mock.FakeEnvironmentBuilder();
        new BuildFunction(steps, builder).build(event(FusemlEvents.RECEIVED, new Received(REPO, COMMIT,
                Map.of("alpha", "0.5"), null, "python train.py 0.5")));
        FakeEventSink.Emitted built = awaitEmitted();
        assertThat(built.type()).isEqualTo(FusemlEvents.BUILT);
        assertThat(conforming(FusemlEvents.BUILT, built.data()).path("environment").asText())
                .isEqualTo("venv:workspace/0123456789abcdef");
        assertThat(builder.jobs).singleElement().satisfies(job -> {
            assertThat(job.repository()).isEqualTo(REPO);
            assertThat(job.commit()).isEqualTo(COMMIT);
        });
    }

    @Test
    void trainAsksForTheModelAtTheRunsArtifactUri() {
        dev.fuseml.mock.FakeTrainer trainer = new dev.fuseml.mock.FakeTrainer();
        new TrainFunction(steps, trainer).train(event(FusemlEvents.BUILT, new Built(REPO, COMMIT,
                Map.of("alpha", "0.5"), null, "venv:workspace/0123456789abcdef")));
        FakeEventSink.Emitted trained = awaitEmitted();
        JsonNode data = conforming(FusemlEvents.TRAINED, trained.data());
        assertThat(data.path("modelUri").asText()).isEqualTo(MODEL);
        assertThat(data.path("metrics").path("rmse").asDouble()).isEqualTo(0.7);
        assertThat(trainer.jobs.get(0).environment()).isEqualTo("venv:workspace/0123456789abcdef");
    }

    @Test
    void registerRecordsTheVersionOncePerRun() {
        FakeModelRegistry registry = new FakeModelRegistry();
        RegisterFunction register = new RegisterFunction(steps, registry, log);
        Trained trained = new Trained(REPO, COMMIT, Map.of(), "venv:workspace/0123456789abcdef", MODEL, Map.of("rmse", 0.7));
        CloudEvent<Object> reply = register.register(event(FusemlEvents.TRAINED, trained));
        JsonNode data = conforming(FusemlEvents.REGISTERED, reply.data());
        assertThat(data.path("version").asInt()).isEqualTo(1);
        assertThat(data.path("modelUri").asText()).isEqualTo(MODEL);
        register.register(event(FusemlEvents.TRAINED, trained));
        assertThat(registry.versions).hasSize(1);
    }

    @Test
    void serveDeploysByModelUriAndUnserveRemovesTheApp() throws Exception {
        dev.fuseml.mock.FakeDeployer deployer = new dev.fuseml.mock.FakeDeployer();
        ServeFunction serve = new ServeFunction(steps, deployer, log);
        serve.serve(event(FusemlEvents.REGISTERED, new Registered(1, MODEL, "venv:workspace/0123456789abcdef")));
        FakeEventSink.Emitted served = awaitEmitted();
        assertThat(conforming(FusemlEvents.SERVED, served.data()).path("url").asText()).endsWith("/wine/infer");
        assertThat(deployer.deployed.get(0).modelUri()).isEqualTo(MODEL);

        serve.unserve(CloudEventBuilder.create().id("d").type(FusemlEvents.DELETED).source("test")
                .extensions(Map.of(FusemlEvents.EXT_ORG, "workspace", FusemlEvents.EXT_APP, "wine"))
                .build(new Deleted("wine")));
        assertThat(deployer.removed).containsExactly("workspace/wine");
    }

    @Test
    void protectSetsAndLiftsTheAppsPredictionTokenAndRefusesAMalformedHash() throws Exception {
        dev.fuseml.mock.FakeDeployer deployer = new dev.fuseml.mock.FakeDeployer();
        ServeFunction serve = new ServeFunction(steps, deployer, log);
        Map<String, String> app = Map.of(FusemlEvents.EXT_ORG, "workspace", FusemlEvents.EXT_APP, "wine");
        String hash = dev.fuseml.eventing.Tokens.sha256("fuseml_t");
        serve.protect(CloudEventBuilder.create().id("p1").type(FusemlEvents.PROTECTED).source("test")
                .extensions(app).build(new dev.fuseml.eventing.payload.Protected("wine", hash)));
        assertThat(deployer.protectedApps).containsEntry("workspace/wine", hash);
        assertThat(conforming(FusemlEvents.PROTECTED, dev.fuseml.state.JsonFiles.MAPPER.valueToTree(
                new dev.fuseml.eventing.payload.Protected("wine", hash)))).isNotNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> serve.protect(CloudEventBuilder.create().id("p2")
                .type(FusemlEvents.PROTECTED).source("test").extensions(app)
                .build(new dev.fuseml.eventing.payload.Protected("wine", "not-a-hash"))))
                .hasMessageContaining("64 lower-case hex digits");
        serve.protect(CloudEventBuilder.create().id("p3").type(FusemlEvents.PROTECTED).source("test")
                .extensions(app).build(new dev.fuseml.eventing.payload.Protected("wine", null)));
        assertThat(deployer.protectedApps).isEmpty();
    }

    @Test
    void scratchDirectoriesAreTheOnlyFilesAStepWrites() throws Exception {
        FakeCodesetSource codesets = new FakeCodesetSource().with(REPO, COMMIT, Map.of("train.py", "print(1)"));
        new ReceiveFunction(steps, codesets, new Workspaces(dir.resolve("work")), log)
                .receive(event(FusemlEvents.PUSH, new Push(REPO, COMMIT, Map.of(), null)));
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }
}
