package dev.fuseml.mlflow;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which model a training logged through MLflow becomes the run's FuseML model, and what is refused. */
class RunModelsTest {
    @TempDir
    Path dir;
    private TrackingStore store;
    private ArtifactStorage files;
    private RunModels models;
    private TrackedRun run;
    private ArtifactUri target;

    @BeforeEach
    void aTrainingsMlflowRun() {
        store = new TrackingStore(dir.resolve("mlflow"), Clock.systemUTC());
        files = new dev.fuseml.mock.FakeArtifactStorage();
        models = new RunModels(store, files);
        run = store.startTraining("acme", "wine", "wine-1");
        target = new ArtifactUri("acme", "wine", "wine-1", "model");
    }

    /** MLflow 2.x: a directory of the run's artifacts, announced with runs/log-model. */
    private void logged2(String path) throws Exception {
        write(new ArtifactUri("acme", "wine", "wine-1", TrackingStore.ARTIFACTS), path + "/MLmodel", "v2 " + path);
        store.logModel("wine-1", JsonNodeFactory.instance.objectNode().put("artifact_path", path));
    }

    /** MLflow 3.x: a LoggedModel with artifacts of its own, finalized when {@code ready}. */
    private void logged3(String name, boolean ready) throws Exception {
        Experiment e = store.experiment(run.experimentId()).orElseThrow();
        LoggedModel m = store.createModel(e, name, "wine-1", null, Map.of(), Map.of());
        write(new ArtifactUri("acme", "wine", m.id(), TrackingStore.ARTIFACTS), "MLmodel", "v3 " + name);
        if (ready) {
            store.finalizeModel(m.id(), LoggedModel.READY);
        }
    }

    private void write(ArtifactUri uri, String path, String content) throws Exception {
        files.write(uri, path, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
    }

    private String adopted(String name) throws Exception {
        models.adopt(store.run("wine-1").orElseThrow(), name, target);
        assertThat(files.list(target)).extracting(ArtifactStorage.FileInfo::path).containsExactly("MLmodel");
        return new String(files.read(target, "MLmodel").orElseThrow().readAllBytes(), StandardCharsets.UTF_8);
    }

    interface Logging {
        void log(RunModelsTest test) throws Exception;
    }

    static Stream<Arguments> whatIsServed() {
        return Stream.of(
                Arguments.of(Named.of("an MLflow 2.x model directory", (Logging) t -> t.logged2("model")), null,
                        "v2 model"),
                Arguments.of(Named.of("an MLflow 3.x LoggedModel", (Logging) t -> t.logged3("model", true)), null,
                        "v3 model"),
                Arguments.of(Named.of("a LoggedModel and the 2.x directory of the same name", (Logging) t -> {
                    t.logged2("model");
                    t.logged3("model", true);
                }), null, "v3 model"),
                Arguments.of(Named.of("the one MLproject names of several", (Logging) t -> {
                    t.logged2("baseline");
                    t.logged3("tuned", true);
                }), "baseline", "v2 baseline"),
                Arguments.of(Named.of("a finalized LoggedModel beside one never finalized", (Logging) t -> {
                    t.logged3("draft", false);
                    t.logged3("model", true);
                }), null, "v3 model"));
    }

    @ParameterizedTest(name = "{0} is served")
    @MethodSource("whatIsServed")
    void theModelTheRunLoggedBecomesItsFusemlModel(Logging logging, String named, String served) throws Exception {
        logging.log(this);
        assertThat(adopted(named)).isEqualTo(served);
    }

    static Stream<Arguments> whatIsRefused() {
        return Stream.of(
                Arguments.of(Named.of("no model at all", (Logging) t -> {
                }), null, "the training wrote no model: log one with MLflow"),
                Arguments.of(Named.of("several models and none named", (Logging) t -> {
                    t.logged2("a");
                    t.logged3("b", true);
                }), null, "logged 2 models [a, b]: name the one to serve in MLproject, as serving: {model: NAME}"),
                Arguments.of(Named.of("a name the run never logged", (Logging) t -> t.logged2("a")), "b",
                        "serving.model names 'b', but the run logged only [a]"),
                Arguments.of(Named.of("a LoggedModel never finalized", (Logging) t -> t.logged3("m", false)), null,
                        "the training wrote no model"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("whatIsRefused")
    void aRunWhoseModelsCannotBeServedFailsWithTheFix(Logging logging, String named, String message)
            throws Exception {
        logging.log(this);
        assertThatThrownBy(() -> models.adopt(store.run("wine-1").orElseThrow(), named, target))
                .isInstanceOf(RunModels.Refused.class).hasMessageContaining(message);
        assertThat(files.list(target)).isEmpty();
    }

    @Test
    void aModelAnnouncedButNeverUploadedIsRefused() {
        store.logModel("wine-1", JsonNodeFactory.instance.objectNode().put("artifact_path", "model"));
        assertThatThrownBy(() -> models.adopt(store.run("wine-1").orElseThrow(), null, target))
                .hasMessageContaining("none of its files were uploaded");
    }

    @Test
    void theStoreReadsBackWhatItKeptAfterARestart() throws Exception {
        logged2("model");
        store.log("wine-1", List.of(new Metric("rmse", 0.7, 1L, 0, null), new Metric("rmse", 0.6, 2L, 1, null)),
                Map.of("alpha", "0.5"), Map.of("t", "v"));
        TrackingStore again = new TrackingStore(dir.resolve("mlflow"), Clock.systemUTC());
        TrackedRun read = again.run("wine-1").orElseThrow();
        assertThat(read.metrics().get("rmse").value()).isEqualTo(0.6);
        assertThat(read.params()).containsEntry("alpha", "0.5");
        assertThat(read.models()).containsExactly("model");
        assertThat(again.history("wine-1", "rmse")).extracting(Metric::value).containsExactly(0.7, 0.6);
        assertThat(again.createExperiment("acme", "acme/next", Map.of()).id())
                .as("experiment ids go on after the highest kept").isEqualTo("2");
    }
}
