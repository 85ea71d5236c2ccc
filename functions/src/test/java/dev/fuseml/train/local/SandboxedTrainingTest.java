package dev.fuseml.train.local;

import dev.fuseml.build.local.Venvs;
import dev.fuseml.mock.FakeArtifactStore;
import dev.fuseml.mock.FakeStepLog;
import dev.fuseml.process.Sandbox;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.project.Project;
import dev.fuseml.step.StepFailure;
import dev.fuseml.workspace.Workspaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A training project of org red that tries to read what the orchestrator keeps (the CLI's config with the admin
 * token, the data dir with org blue's codeset, the orchestrator's process environment) finds none of it in the
 * sandbox, and finds all of it without one (so the probe itself works). Needs bubblewrap (.ci/run installs it).
 */
class SandboxedTrainingTest {
    /** Set by surefire in this JVM's environment, which stands in for the orchestrator's. */
    private static final String PROCESS_SECRET = "orchestrator-secret-1234";
    @TempDir
    Path dir;
    private Path home;
    private Path data;
    private Path env;

    @BeforeEach
    void anOrchestratorsPlaces() throws Exception {
        home = dir.resolve("home");
        Files.createDirectories(home.resolve(".config/fuseml"));
        Files.writeString(home.resolve(".config/fuseml/config.yaml"), "token: fuseml_admin-secret-token\n");
        data = dir.resolve("data");
        Files.createDirectories(data.resolve("codesets/blue/app.git"));
        Files.writeString(data.resolve("codesets/blue/app.git/HEAD"), "blue-secret-ref\n");
        env = Files.createDirectories(data.resolve("envs/red/0123abcd/bin")).getParent();
        Files.createSymbolicLink(env.resolve("bin/python"), dev.fuseml.process.LoggedProcessTest.python3());
    }

    private String trainingOutput(Sandbox sandbox) throws Exception {
        FakeStepLog log = new FakeStepLog();
        Workspaces workspaces = new Workspaces(data.resolve("work"));
        ProcessTrainer trainer = new ProcessTrainer(Duration.ofMinutes(1), log, null, workspaces,
                new Venvs(data.resolve("envs"), "python3", Duration.ofMinutes(1), log, sandbox),
                new FakeArtifactStore());
        Path work = workspaces.fresh("red-1", "train");
        Path code = Files.createDirectories(work.resolve("code"));
        String probe = String.join("; ",
                "cat " + home.resolve(".config/fuseml/config.yaml"),
                "ls " + data.resolve("codesets") + " | sed s/^/LISTED:/",
                "cat " + data.resolve("codesets/blue/app.git/HEAD"),
                "tr '\\0' '\\n' < /proc/" + ProcessHandle.current().pid() + "/environ | grep SECRET",
                "echo model > $FUSEML_MODEL_DIR/probe && echo WROTE-OWN-WORKSPACE",
                "echo HOME=$HOME",
                "exit 7");
        Project project = new Project(code, "main", probe, Map.of(), new DependencySpec(null, List.of(), List.of()));
        StepFailure failure = catchThrowableOfType(StepFailure.class, () -> trainer.run("red-1", project, env,
                work.resolve("model"), work.resolveSibling("train.pid")));
        assertThat(failure).as("the probe ends with exit 7").isNotNull();
        return log.text("red-1");
    }

    @Test
    void inTheSandboxTrainingFindsNoneOfTheOrchestratorsSecretsAndWritesItsOwnWorkspace() throws Exception {
        Sandbox sandbox = Sandbox.detect(true, List.of(home, data));
        assertThat(sandbox.isolates()).as("bubblewrap works here: " + sandbox.status()).isTrue();

        String output = trainingOutput(sandbox);

        assertThat(output).contains("WROTE-OWN-WORKSPACE", "HOME=" + data.resolve("work"))
                .doesNotContain("admin-secret-token", "LISTED:blue", "blue-secret-ref", PROCESS_SECRET);
    }

    @Test
    void withoutTheSandboxTheSameProbeFindsThemAll() throws Exception {
        assertThat(System.getenv("AWS_SECRET_ACCESS_KEY")).as("set by surefire").isEqualTo(PROCESS_SECRET);

        String output = trainingOutput(Sandbox.none("switched off for this test"));

        assertThat(output).contains("admin-secret-token", "LISTED:blue", "blue-secret-ref", PROCESS_SECRET,
                "WROTE-OWN-WORKSPACE");
    }
}
