package dev.fuseml.train.local;

import dev.fuseml.mock.FakeArtifactStore;
import dev.fuseml.mock.FakeStepLog;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.workspace.Workspaces;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.project.Project;
import dev.fuseml.step.StepFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The training contract, with shell commands standing in for the user's code: every way a training process can
 * fail ends the step with a cause that says what to fix, and the output that shows it.
 */
class ProcessTrainerTest {
    private static final String MLMODEL = "flavors:\\n  sklearn:\\n    pickled_model: model.pkl\\n";
    @TempDir
    Path dir;
    private ProcessTrainer trainer;
    private Path env;

    @BeforeEach
    void setUp() throws Exception {
        // a limit no shell line here comes near, even on a loaded machine (each starts a Python supervisor first);
        // only the test of the limit itself sets a short one
        trainer = trainer(Duration.ofMinutes(1));
        env = Files.createDirectories(dir.resolve("env/bin"));
        // training runs under the environment's own python (its supervisor); the machine's stands in for a venv
        Files.createSymbolicLink(env.resolve("python"), dev.fuseml.process.LoggedProcessTest.python3());
        Files.createDirectories(dir.resolve("code"));
    }

    private FakeStepLog log;

    private ProcessTrainer trainer(Duration timeout) {
        return trainer(timeout, dev.fuseml.extension.ToolAccess.NONE);
    }

    private ProcessTrainer trainer(Duration timeout, dev.fuseml.extension.ToolAccess tools) {
        log = new FakeStepLog();
        return new ProcessTrainer(timeout, log, null, new Workspaces(dir.resolve("work")),
                new Venvs(dir.resolve("envs"), "python3", Duration.ofSeconds(1), log), new FakeArtifactStore(),
                dev.fuseml.train.Tracking.NONE, run -> "", tools);
    }

    /** A {@code dvc} where pip would install it: it records its arguments and the config DVC would read. */
    private void fakeDvc(String exit) throws Exception {
        Path dvc = env.resolve("dvc");
        Files.writeString(dvc, "#!/bin/sh\necho \"$@\" > ../dvc-args\ncat .dvc/config.local > ../dvc-config\n"
                + "ls -l .dvc/config.local | cut -c1-10 >> ../dvc-args\necho 'fetching 2 files'\n"
                + (exit.equals("0") ? "" : "echo 'ERROR: failed to pull data from the cloud' >&2\n") + "exit " + exit
                + "\n");
        Files.setPosixFilePermissions(dvc, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("code/.dvc"));
    }

    private static final dev.fuseml.step.RunRef RUN = new dev.fuseml.step.RunRef("red", "wine", "run-1");

    private static dev.fuseml.extension.ToolAccess remote(Map<String, String> credentials) {
        return (run, kind, name) -> {
            assertThat(run).isEqualTo(RUN);
            assertThat(kind).isEqualTo("dvc-remote");
            return java.util.Optional.of(new dev.fuseml.extension.ToolAccess.Grant("team-data", kind,
                    "s3://team/dvc", credentials));
        };
    }

    private void pull(String... requirements) throws Exception {
        trainer.pullData(RUN, new Project(dir.resolve("code"), "main", "true", Map.of(), new DependencySpec(
                "requirements.txt", List.of(requirements), List.of())), env.getParent(), dir.resolve("model"),
                dir.resolve("train.pid"));
    }

    @Test
    void dvcPullFetchesTheDataFromTheRegisteredRemoteWithItsCredentialsInDvcsOwnConfig() throws Exception {
        trainer = trainer(Duration.ofMinutes(1), remote(Map.of("access_key_id", "AKIA1", "secret_access_key",
                "s3cr3t,#x")));
        fakeDvc("0");
        pull("scikit-learn==1.5", "dvc[s3]>=3");
        assertThat(Files.readString(dir.resolve("dvc-args"))).startsWith("pull --remote team-data\n")
                .as("only its owner reads the credentials").contains("-rw-------");
        assertThat(Files.readString(dir.resolve("dvc-config"))).contains("[core]\n    remote = team-data",
                "['remote \"team-data\"']", "url = \"s3://team/dvc\"", "access_key_id = \"AKIA1\"",
                "secret_access_key = \"s3cr3t,#x\"");
        assertThat(dir.resolve("code/.dvc/config.local")).as("removed once pulled").doesNotExist();
        assertThat(log.text("run-1")).contains("fetching 2 files", "dvc-remote extension team-data (s3://team/dvc)")
                .doesNotContain("s3cr3t");
    }

    @Test
    void aFailedPullFailsTheTrainingNamingTheRemoteAndTheFix() throws Exception {
        trainer = trainer(Duration.ofMinutes(1), remote(Map.of()));
        fakeDvc("1");
        assertThatThrownBy(() -> pull("dvc")).isInstanceOfSatisfying(StepFailure.class, e -> {
            assertThat(e.getMessage()).contains("dvc pull from dvc-remote extension team-data", "exited with code 1",
                    "ERROR: failed to pull data from the cloud", "fuseml extensions add team-data");
            assertThat(e.logExcerpt()).contains("fetching 2 files");
        });
        assertThat(dir.resolve("code/.dvc/config.local")).doesNotExist();
    }

    @Test
    void withoutDvcInTheRequirementsOrARegisteredRemoteNothingIsPulled() throws Exception {
        trainer = trainer(Duration.ofMinutes(1), remote(Map.of()));
        fakeDvc("0");
        pull("scikit-learn", "dvclive");
        assertThat(dir.resolve("dvc-args")).as("dvclive is not dvc").doesNotExist();

        trainer = trainer(Duration.ofMinutes(1), dev.fuseml.extension.ToolAccess.NONE);
        pull("DVC");
        assertThat(dir.resolve("dvc-args")).doesNotExist();
        assertThat(log.text("run-1")).contains("no dvc-remote extension is registered", "--kind dvc-remote");
    }

    @Test
    void aGlobalRemotesCredentialsDoNotReachAnOrgsCode() throws Exception {
        trainer = trainer(Duration.ofMinutes(1), (run, kind, name) -> java.util.Optional.of(
                new dev.fuseml.extension.ToolAccess.Grant("shared-data", kind, "s3://shared", Map.of(
                        "secret_access_key", "everyones"), true)));
        fakeDvc("0");
        assertThatThrownBy(() -> pull("dvc")).hasMessageContaining("global one with credentials")
                .hasMessageContaining("--org red").hasMessageNotContaining("everyones");
        assertThat(dir.resolve("dvc-args")).doesNotExist();
    }

    @Test
    void theConfigIsNeverWrittenThroughALinkTheProjectPutThere() throws Exception {
        trainer = trainer(Duration.ofMinutes(1), remote(Map.of("password", "pw-in-link")));
        fakeDvc("0");
        Path elsewhere = dir.resolve("elsewhere.txt");
        Files.createSymbolicLink(dir.resolve("code/.dvc/config.local"), elsewhere);
        pull("dvc");
        assertThat(elsewhere).doesNotExist();
        assertThat(Files.readString(dir.resolve("dvc-config"))).contains("pw-in-link");
        assertThat(dir.resolve("code/.dvc/config.local")).doesNotExist();
    }

    @Test
    void aCredentialDvcCannotHoldIsRefusedBeforeAnythingRuns() throws Exception {
        trainer = trainer(Duration.ofMinutes(1), remote(Map.of("password", "line\nbreak")));
        fakeDvc("0");
        assertThatThrownBy(() -> pull("dvc")).hasMessageContaining("line break").hasMessageNotContaining("break\"");
        trainer = trainer(Duration.ofMinutes(1), remote(Map.of("Bad Key", "x")));
        assertThatThrownBy(() -> pull("dvc")).hasMessageContaining("not a DVC remote option");
        assertThat(dir.resolve("dvc-args")).doesNotExist();
    }

    private Map<String, Double> train(String command) throws Exception {
        Project project = new Project(dir.resolve("code"), "main", command, Map.of(),
                new DependencySpec(null, List.of(), List.of()));
        return trainer.run("run-1", project, env.getParent(), dir.resolve("model"), dir.resolve("train.pid"));
    }

    private static String model(String metrics) {
        return "printf '" + MLMODEL + "' > $FUSEML_MODEL_DIR/MLmodel && touch $FUSEML_MODEL_DIR/model.pkl"
                + (metrics == null ? "" : " && printf '%s' '" + metrics + "' > $FUSEML_METRICS_FILE");
    }

    @Test
    void aValidModelAndMetricsAreTaken() throws Exception {
        assertThat(train(model("{\"rmse\": 0.7, \"r2\": 1}"))).containsEntry("rmse", 0.7).containsEntry("r2", 1.0);
        assertThat(train(model(null))).isEmpty();
    }

    @Test
    void theTrainingProcessSeesNoneOfTheOrchestratorsVariables() throws Exception {
        assertThat(System.getenv("AWS_SECRET_ACCESS_KEY")).as("set by surefire for this test").isNotBlank();
        assertThatThrownBy(() -> train("env; echo MARK=$FUSEML_RUN_ID; exit 1"))
                .isInstanceOfSatisfying(StepFailure.class, e -> assertThat(e.logExcerpt())
                        .contains("MARK=run-1").contains("PATH=").doesNotContain("orchestrator-secret-1234")
                        .doesNotContain("AWS_SECRET_ACCESS_KEY"));
    }

    @Test
    void credentialsInUrlsAreMaskedInWhatIsLogged() {
        assertThat(dev.fuseml.process.Redaction.mask("Looking in indexes: https://alice:s3cr3t@pypi.example/simple, "
                + "git+https://token@github.example/x.git and http://plain.example/"))
                .isEqualTo("Looking in indexes: https://***@pypi.example/simple, git+https://***@github.example/x.git "
                        + "and http://plain.example/");
    }

    @Test
    void aFailingProcessNamesItsErrorAndKeepsTheOutput() {
        assertThatThrownBy(() -> train("echo 'Traceback (most recent call last):'; echo 'ValueError: no data' >&2; exit 3"))
                .isInstanceOf(StepFailure.class)
                .hasMessageContaining("exited with code 3: ValueError: no data")
                .satisfies(e -> assertThat(((StepFailure) e).logExcerpt()).contains("Traceback"));
    }

    @Test
    void aProcessThatRunsTooLongIsStopped() {
        trainer = trainer(Duration.ofSeconds(1));
        assertThatThrownBy(() -> train("sleep 20")).hasMessageContaining("longer than PT1S")
                .hasMessageContaining("fuseml.train-timeout");
    }

    @Test
    void codeLoggingThroughMlflowSeesItsRunsVariablesAndMayLeaveTheModelDirectoryEmpty() throws Exception {
        Project project = new Project(dir.resolve("code"), "main", "echo \"$MLFLOW_TRACKING_URI $MLFLOW_RUN_ID "
                + "$MLFLOW_EXPERIMENT_ID $MLFLOW_TRACKING_TOKEN\" > $FUSEML_MODEL_DIR/../seen", Map.of(),
                new DependencySpec(null, List.of(), List.of()));
        Map<String, String> mlflow = new dev.fuseml.train.Tracking.Started("http://127.0.0.1:1", "7", "run-1")
                .environment("fuseml-run.token");
        assertThat(trainer.run("run-1", project, env.getParent(), null, dir.resolve("model"),
                dir.resolve("train.pid"), mlflow, true, null)).isEmpty();
        assertThat(Files.readString(dir.resolve("seen")).strip()).isEqualTo("http://127.0.0.1:1 run-1 7 "
                + "fuseml-run.token");
        assertThatThrownBy(() -> trainer.run("run-1", new Project(dir.resolve("code"), "main",
                "touch $FUSEML_MODEL_DIR/half", Map.of(), new DependencySpec(null, List.of(), List.of())),
                env.getParent(), null, dir.resolve("model2"), dir.resolve("train.pid"), mlflow, true, null))
                .as("a model directory the code started is still checked").hasMessageContaining("no MLmodel file");
    }

    @Test
    void noModelOrAnUnservableOneIsRefusedWithTheFix() {
        assertThatThrownBy(() -> train("true")).hasMessageContaining("no MLmodel file")
                .hasMessageContaining("$FUSEML_MODEL_DIR");
        assertThatThrownBy(() -> train("printf 'flavors:\\n  h2o: {}\\n' > $FUSEML_MODEL_DIR/MLmodel"))
                .hasMessageContaining("FuseML serves onnx, sklearn and python_function");
        assertThatThrownBy(() -> train("printf 'flavors:\\n  onnx: {}\\n' > $FUSEML_MODEL_DIR/MLmodel"))
                .hasMessageContaining("set flavors.onnx.data");
        assertThatThrownBy(() -> train("printf '" + MLMODEL + "' > $FUSEML_MODEL_DIR/MLmodel"))
                .hasMessageContaining("names the model file 'model.pkl', which is not in the model directory");
        assertThatThrownBy(() -> train("printf 'flavors: [' > $FUSEML_MODEL_DIR/MLmodel"))
                .hasMessageContaining("MLmodel is not valid YAML");
    }

    @Test
    void badMetricsAreRefusedWithTheExpectedShape() {
        assertThatThrownBy(() -> train(model("{\"rmse\": \"low\"}"))).hasMessageContaining("metric 'rmse'")
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> train(model("rmse=0.7"))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> train(model("[0.7]"))).hasMessageContaining("must hold a JSON object");
    }
}
