package dev.fuseml.train.determined;

import dev.fuseml.extension.ToolAccess;
import dev.fuseml.mock.FakeStepLog;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.project.Project;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Training as a Determined experiment, against a stand-in master with Determined's paths and bodies. */
class DeterminedTrainingTest {
    private static final RunRef RUN = new RunRef("red", "wine", "wine-3");
    private static final byte[] MLMODEL = "flavors:\n  sklearn: {pickled_model: model.pkl}\n"
            .getBytes(StandardCharsets.UTF_8);
    @TempDir
    Path dir;
    private DeterminedStandIn master;
    private FakeStepLog log;
    private DeterminedTraining training;

    @BeforeEach
    void aMasterAndAProject() throws Exception {
        master = new DeterminedStandIn("ana", "pw");
        log = new FakeStepLog();
        training = new DeterminedTraining(log, HttpClient.newHttpClient(), Duration.ofMillis(10));
        Files.createDirectories(dir.resolve("code/src"));
        Files.writeString(dir.resolve("code/train.py"), "print('train')\n");
        Files.writeString(dir.resolve("code/src/util.py"), "X = 1\n");
    }

    @AfterEach
    void stop() {
        master.close();
    }

    private DeterminedTraining.Job job(Map<String, String> credentials, Duration timeout) {
        return new DeterminedTraining.Job(RUN, new Project(dir.resolve("code"), "main", "python train.py --alpha 0.4",
                Map.of("alpha", "0.4"), new DependencySpec(null, List.of(), List.of())),
                new ToolAccess.Grant("gpu-cluster", "determined", master.url(), credentials), 2, "rmse",
                dir.resolve("work/model"), dir.resolve("train.determined"), timeout);
    }

    private DeterminedTraining.Job job() {
        return job(Map.of("username", "ana", "password", "pw"), Duration.ofMinutes(1));
    }

    @Test
    void aCompletedExperimentsCheckpointIsTheModelAndItsValidationMetricsAreTheVersions() throws Exception {
        master.next(new DeterminedStandIn.Script(List.of("STATE_ACTIVE", "STATE_RUNNING", "STATE_RUNNING",
                "STATE_COMPLETED"), List.of("epoch 1 rmse=0.9", "epoch 2 rmse=0.8", "epoch 3 rmse=0.7", "saved"),
                Map.of("MLmodel", MLMODEL, "model.pkl", new byte[]{7}, "metadata.json", "{}".getBytes()),
                Map.of("rmse", 0.7, "r2", 0.3)));

        Map<String, Double> metrics = training.train(job());

        assertThat(metrics).containsEntry("rmse", 0.7).containsEntry("r2", 0.3);
        assertThat(dir.resolve("work/model/MLmodel")).hasBinaryContent(MLMODEL);
        assertThat(dir.resolve("work/model/model.pkl")).hasBinaryContent(new byte[]{7});
        DeterminedStandIn.Created created = master.created.get(0);
        assertThat(created.config().path("entrypoint").asText()).isEqualTo("python train.py --alpha 0.4");
        assertThat(created.config().path("searcher").path("metric").asText()).isEqualTo("rmse");
        assertThat(created.config().path("resources").path("slots_per_trial").asInt()).isEqualTo(2);
        assertThat(created.config().path("max_restarts").asInt()).isZero();
        assertThat(created.body().path("activate").asBoolean()).isTrue();
        assertThat(created.files()).containsOnlyKeys("train.py", "src/util.py");
        assertThat(new String(created.files().get("src/util.py"), StandardCharsets.UTF_8)).isEqualTo("X = 1\n");
        assertThat(log.text("wine-3")).as("each trial line once, in order").containsSubsequence("epoch 1 rmse=0.9",
                "epoch 2 rmse=0.8", "epoch 3 rmse=0.7", "saved", "took checkpoint").doesNotContain("pw");
        assertThat(log.text("wine-3").split("epoch 2 rmse=0.8", -1)).hasSize(2);
        assertThat(dir.resolve("train.determined")).as("the record of a running experiment is gone").doesNotExist();
    }

    @Test
    void aFailedExperimentFailsTheRunWithItsLastLogLine() throws Exception {
        master.next(new DeterminedStandIn.Script(List.of("STATE_RUNNING", "STATE_ERROR"), List.of("loading data",
                "Traceback (most recent call last):", "ValueError: no column quality"), null, Map.of()));
        assertThatThrownBy(() -> training.train(job())).isInstanceOfSatisfying(StepFailure.class, e -> {
            assertThat(e.getMessage()).contains("experiment 40 failed on Determined cluster gpu-cluster",
                    "STATE_ERROR", "ValueError: no column quality");
            assertThat(e.logExcerpt()).contains("Traceback");
        });
    }

    @Test
    void anExperimentCanceledOnTheClusterFailsTheRunSayingSo() {
        master.next(new DeterminedStandIn.Script(List.of("STATE_RUNNING", "STATE_STOPPING_CANCELED",
                "STATE_CANCELED"), List.of("epoch 1"), null, Map.of()));
        assertThatThrownBy(() -> training.train(job())).isInstanceOf(StepFailure.class)
                .hasMessageContaining("was canceled or killed on Determined cluster gpu-cluster")
                .hasMessageContaining("push again");
    }

    @Test
    void anExperimentThatOutlivesTheTimeoutIsKilled() {
        master.next(new DeterminedStandIn.Script(List.of("STATE_RUNNING"), List.of(), null, Map.of()));
        assertThatThrownBy(() -> training.train(job(Map.of("username", "ana", "password", "pw"),
                Duration.ofMillis(200)))).hasMessageContaining("took longer than PT0.2S")
                .hasMessageContaining("was killed");
        assertThat(master.killed).containsExactly(40L);
    }

    @Test
    void theExperimentOfAnAttemptThatCrashedIsKilledBeforeANewOneIsMade() throws Exception {
        Files.writeString(dir.resolve("train.determined"), "39");
        master.next(new DeterminedStandIn.Script(List.of("STATE_COMPLETED"), List.of(), Map.of("MLmodel", MLMODEL),
                Map.of()));
        training.train(job());
        assertThat(master.killed).containsExactly(39L);
        assertThat(log.text("wine-3")).contains("killed experiment 39 of an earlier attempt");
    }

    @Test
    void wrongCredentialsACompletedRunWithoutCheckpointAndAnArchiveLeavingTheModelAreRefusedWithTheFix() {
        assertThatThrownBy(() -> training.train(job(Map.of("username", "ana", "password", "wrong"),
                Duration.ofMinutes(1)))).hasMessageContaining("refused to sign in (HTTP 401")
                .hasMessageContaining("fuseml extensions add gpu-cluster --kind determined");
        assertThatThrownBy(() -> training.train(job(Map.of("token", "stolen"), Duration.ofMinutes(1))))
                .hasMessageContaining("HTTP 401").hasMessageNotContaining("stolen");
        assertThatThrownBy(() -> training.train(job(Map.of(), Duration.ofMinutes(1))))
                .hasMessageContaining("needs credentials");

        master.next(new DeterminedStandIn.Script(List.of("STATE_COMPLETED"), List.of(), null, Map.of()));
        assertThatThrownBy(() -> training.train(job())).hasMessageContaining("without a checkpoint")
                .hasMessageContaining("core_context.checkpoint.store_path");
        master.next(new DeterminedStandIn.Script(List.of("STATE_COMPLETED"), List.of(), Map.of("notes.txt",
                "x".getBytes()), Map.of()));
        assertThatThrownBy(() -> training.train(job())).hasMessageContaining("holds no MLflow model")
                .hasMessageContaining("model/ folder");
        master.next(new DeterminedStandIn.Script(List.of("STATE_COMPLETED"), List.of(), Map.of("../escape",
                MLMODEL), Map.of()));
        assertThatThrownBy(() -> training.train(job())).hasMessageContaining("an entry outside it: ../escape");
        assertThat(dir.resolve("work/escape")).doesNotExist();
    }
}
