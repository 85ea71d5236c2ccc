package dev.fuseml.train.local;

import dev.fuseml.build.local.Venvs;
import dev.fuseml.mock.FakeArtifactStore;
import dev.fuseml.mock.FakeStepLog;
import dev.fuseml.process.LoggedProcess;
import dev.fuseml.process.Sandbox;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.project.Project;
import dev.fuseml.step.StepFailure;
import dev.fuseml.workspace.Workspaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Trainings whose entry point is a Python script run in FuseML's interpreter script ({@code fuseml_warm.py}) as
 * {@code python SCRIPT} would run them; after one, the environment's next interpreter is started ahead with what it
 * imported, and the next run takes it. Real Python (the machine's, standing in for an environment's).
 */
class WarmInterpretersTest {
    private static final String ENVIRONMENT = "venv:red/0123abcd";
    private static final String MODEL = String.join("\n",
            "import os, json, pathlib",
            "d = pathlib.Path(os.environ['FUSEML_MODEL_DIR'])",
            "(d / 'MLmodel').write_text('flavors:\\n  sklearn:\\n    pickled_model: model.pkl\\n')",
            "(d / 'model.pkl').write_bytes(b'x')",
            "pathlib.Path(os.environ['FUSEML_METRICS_FILE']).write_text(json.dumps({'rmse': 0.5}))", "");
    @TempDir
    Path dir;
    private Path data;
    private Path env;
    private FakeStepLog log;
    private ProcessTrainer trainer;
    private final ExecutorService background = Executors.newCachedThreadPool();

    @BeforeEach
    void anEnvironment() throws Exception {
        data = dir.resolve("data");
        env = Files.createDirectories(data.resolve("envs/red/0123abcd/bin")).getParent();
        Files.createSymbolicLink(env.resolve("bin/python"), dev.fuseml.process.LoggedProcessTest.python3());
        trainer = trainer(Sandbox.none("a test"), Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        trainer.warm.close();
        background.shutdownNow();
    }

    private ProcessTrainer trainer(Sandbox sandbox, Duration timeout) {
        log = new FakeStepLog();
        Workspaces workspaces = new Workspaces(data.resolve("work"));
        return new ProcessTrainer(timeout, log, null, workspaces,
                new Venvs(data.resolve("envs"), "python3", Duration.ofMinutes(1), log, sandbox),
                new FakeArtifactStore(), dev.fuseml.train.Tracking.NONE, run -> "",
                dev.fuseml.extension.ToolAccess.NONE, null,
                new WarmInterpreters(workspaces.aside("warm"), Duration.ofMinutes(1)));
    }

    /** A project in {@code work/code} with {@code train.py}; its command is {@code python train.py 0.5 'a b'}. */
    private Project project(Path work, String script) throws Exception {
        Path code = Files.createDirectories(work.resolve("code"));
        Files.writeString(code.resolve("train.py"), script);
        return new Project(code, "main", "python train.py 0.5 'a b'", Map.of(), new DependencySpec(null,
                List.of("scikit-learn"), List.of()));
    }

    private Map<String, Double> run(Project project, WarmInterpreter interpreter) throws Exception {
        Path work = project.dir().getParent();
        return trainer.run("red-1", project, env, ENVIRONMENT, work.resolve("model"), work.resolve("train.pid"),
                Map.of(), false, interpreter);
    }

    @Test
    void aScriptRunsAsPythonWouldRunIt() throws Exception {
        Path work = Files.createDirectories(data.resolve("work/red-1/train"));
        Project project = project(work, String.join("\n",
                "import os, sys",
                "print('NAME', __name__, 'ARGV', sys.argv)",
                "print('PATH0', sys.path[0] == os.getcwd(), 'CWD', os.getcwd() == os.path.dirname(__file__))",
                "print('RUN', os.environ['FUSEML_RUN_ID'], 'STDIN', repr(sys.stdin.read()))",
                "class Model:",
                "    pass",
                "import pickle",
                "print('PICKLED', type(pickle.loads(pickle.dumps(Model()))).__module__)",
                MODEL));
        assertThat(run(project, null)).containsEntry("rmse", 0.5);
        assertThat(log.text("red-1")).contains("NAME __main__ ARGV ['train.py', '0.5', 'a b']",
                "PATH0 True CWD True", "RUN red-1 STDIN ''",
                "PICKLED __main__");
        assertThat(trainer.warm.imports(ENVIRONMENT)).as("what it imported, for the next interpreter")
                .contains("json", "pathlib").doesNotContain("__main__", "train");
    }

    @Test
    void theNextInterpreterIsStartedAheadWithWhatTheLastTrainingImportedAndTheNextRunTakesIt() throws Exception {
        Path work = Files.createDirectories(data.resolve("work/red-1/train"));
        String script = "import sys\nprint('DECIMAL-WAS-LOADED', 'decimal' in sys.modules)\nimport decimal\n" + MODEL;
        run(project(work, script), null);
        assertThat(log.text("red-1")).contains("DECIMAL-WAS-LOADED False");

        trainer.startAhead(ENVIRONMENT, project(work, script));
        WarmInterpreter ahead = trainer.warm.take(ENVIRONMENT, "").orElseThrow();
        assertThat(trainer.warm.take(ENVIRONMENT, "")).as("one run takes it").isEmpty();
        assertThat(run(project(ahead.workspace(), script), ahead)).containsEntry("rmse", 0.5);
        assertThat(log.text("red-1")).contains("DECIMAL-WAS-LOADED True", "ms ahead");
        assertThat(ahead.process().isAlive()).as("it served one run and is gone").isFalse();
    }

    @Test
    void theNextPushOfTheAppRunsInTheInterpreterStartedAheadWithItsCodeAndSettings() throws Exception {
        FakeStepLog log = new FakeStepLog();
        Venvs venvs = new Venvs(data.resolve("venvs"), "python3", Duration.ofMinutes(2), log, Sandbox.none("a test"));
        String environment = venvs.ensure("run-0", "build", "red", new DependencySpec(null, List.of(), List.of()));
        Workspaces workspaces = new Workspaces(data.resolve("work"));
        FakeArtifactStore artifacts = new FakeArtifactStore();
        dev.fuseml.mock.FakeCodesetSource codesets = new dev.fuseml.mock.FakeCodesetSource();
        for (String commit : List.of("c1", "c2")) {
            codesets.with("git/red/wine", commit, Map.of("MLproject", "name: wine\nentry_points:\n  main:\n"
                    + "    command: python train.py\nserving:\n  max_batch: 8\n", "train.py",
                    "import sys\nprint('COMMIT " + commit + "', 'decimal' in sys.modules)\nimport decimal\n" + MODEL));
        }
        trainer.warm.close();
        trainer = new ProcessTrainer(Duration.ofMinutes(1), log, codesets, workspaces, venvs, artifacts,
                dev.fuseml.train.Tracking.NONE, run -> "", dev.fuseml.extension.ToolAccess.NONE, null,
                new WarmInterpreters(workspaces.aside("warm"), Duration.ofMinutes(1)));
        for (String run : List.of("run-1", "run-2")) {
            trainer.train(new dev.fuseml.train.Trainer.TrainingJob(new dev.fuseml.step.RunRef("red", "wine", run),
                    "git/red/wine", run.equals("run-1") ? "c1" : "c2", "main", Map.of(), environment,
                    "fuseml-artifacts:/red/wine/" + run + "/model"));
        }
        assertThat(log.text("run-1")).contains("COMMIT c1 False").doesNotContain("ahead");
        assertThat(log.text("run-2")).contains("ms ahead", "COMMIT c2 True");
        for (String run : List.of("run-1", "run-2")) {
            Map<String, byte[]> stored = artifacts.artifacts.get("fuseml-artifacts:/red/wine/" + run + "/model");
            assertThat(stored).containsKeys("MLmodel", "model.pkl");
            assertThat(new String(stored.get(dev.fuseml.project.ServingSettings.FILE)))
                    .as("the serving settings of " + run + "'s own code")
                    .containsPattern("(?i)\"max_?batch\"\\s*:\\s*8");
        }
        try (var left = Files.list(workspaces.aside("warm"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("the next one waits in its own workspace; the "
                    + "used ones are gone").hasSize(2).contains("fuseml_warm.py");
        }
    }

    @Test
    void aFailingScriptFailsTheRunWithItsErrorAndExitCode() throws Exception {
        Path work = Files.createDirectories(data.resolve("work/red-1/train"));
        assertThatThrownBy(() -> run(project(work, "raise ValueError('no data')\n"), null))
                .isInstanceOfSatisfying(StepFailure.class, e -> {
                    assertThat(e.getMessage()).contains("exited with code 1: ValueError: no data");
                    assertThat(e.logExcerpt()).contains("Traceback");
                });
        assertThatThrownBy(() -> run(project(work, "import sys\nsys.exit(3)\n"), null))
                .hasMessageContaining("exited with code 3");
        trainer = trainer(Sandbox.none("a test"), Duration.ofSeconds(1));
        assertThatThrownBy(() -> run(project(work, "import time\ntime.sleep(30)\n"), null))
                .hasMessageContaining("longer than PT1S");
    }

    @Test
    void closingTheControlPipeEndsAWaitingInterpreterAndKillsARunWithWhatItStarted() throws Exception {
        trainer.startAhead(ENVIRONMENT, project(dir, MODEL));
        WarmInterpreter waiting = trainer.warm.take(ENVIRONMENT, "").orElseThrow();
        waiting.closeControl();
        assertThat(waiting.process().waitFor()).as("it left by itself").isZero();

        trainer.startAhead(ENVIRONMENT, project(dir, MODEL));
        WarmInterpreter ahead = trainer.warm.take(ENVIRONMENT, "").orElseThrow();
        Project sleeper = project(ahead.workspace(), "import subprocess, time\n"
                + "print('CHILD', subprocess.Popen(['sleep', '60']).pid, flush=True)\ntime.sleep(60)\n");
        List<String> lines = new CopyOnWriteArrayList<>();
        Future<LoggedProcess.Result> running = background.submit(() -> ahead.run(List.of("train.py"),
                sleeper.dir(), Map.of(), ahead.workspace().resolve("imports"), lines::add, Duration.ofMinutes(1),
                ahead.workspace().resolve("train.pid")));
        await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith("CHILD ")));
        long child = Long.parseLong(lines.stream().filter(l -> l.startsWith("CHILD ")).findFirst().orElseThrow()
                .substring(6));
        ahead.closeControl(); // as when the JVM dies: nothing is killed from here
        assertThat(running.get().exitCode()).isNotZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive())
                .orElse(true));
    }

    @Test
    void anInterpreterStartedBeforeItsEnvironmentWasBuiltAgainIsNotTaken() throws Exception {
        Venvs venvs = new Venvs(data.resolve("envs"), "python3", Duration.ofMinutes(1), log);
        Path ready = Files.writeString(env.resolve(".fuseml-ready"), "first build\n");
        String first = venvs.buildMark(ENVIRONMENT);
        trainer.startAhead(ENVIRONMENT, project(dir, MODEL));
        // what Venvs does when a process changed the environment: removed, built again, marked ready anew
        Files.delete(ready);
        Files.writeString(env.resolve(".fuseml-ready"), "second build\n");
        String second = venvs.buildMark(ENVIRONMENT);
        assertThat(second).isNotEqualTo(first).isNotEmpty();
        assertThat(trainer.warm.take(ENVIRONMENT, second)).isEmpty();
        try (var left = Files.list(data.resolve("work/.warm"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("its workspace is gone")
                    .containsExactly("fuseml_warm.py");
        }
    }

    @Test
    void whatATrainingReportsIsReadWithoutFollowingALinkAndKeptOnlyAsModuleNames() throws Exception {
        Path report = Files.writeString(dir.resolve("imports"), "numpy\nos; rm -rf /\n../x\nsklearn.linear_model\n");
        trainer.warm.learn(ENVIRONMENT, report);
        assertThat(trainer.warm.imports(ENVIRONMENT)).containsExactly("numpy", "sklearn.linear_model");

        Path secret = Files.writeString(dir.resolve("orchestrator-token"), "fuseml_admin_secret\n");
        Path link = Files.createSymbolicLink(dir.resolve("linked"), secret);
        trainer.warm.learn(ENVIRONMENT, link);
        assertThat(trainer.warm.imports(ENVIRONMENT)).as("the last list stays").containsExactly("numpy",
                "sklearn.linear_model");
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        trainer.warm.learn(ENVIRONMENT, fifo); // would block forever if it were opened
        assertThat(trainer.warm.imports(ENVIRONMENT)).containsExactly("numpy", "sklearn.linear_model");
    }

    @Test
    void inTheSandboxAnInterpreterStartedAheadSeesOnlyItsOwnWorkspace() throws Exception {
        Sandbox sandbox = Sandbox.detect(true, List.of(data));
        assertThat(sandbox.isolates()).as("bubblewrap works here: " + sandbox.status()).isTrue();
        trainer.warm.close();
        trainer = trainer(sandbox, Duration.ofMinutes(1));
        Path other = Files.createDirectories(data.resolve("work/red-2/train/code"));
        Files.writeString(other.resolve("secret.txt"), "another run's code");
        String probe = String.join("\n",
                "import os",
                "p = '" + other.resolve("secret.txt") + "'",
                "print('SEES' if os.path.exists(p) else 'HIDDEN', p)",
                "print('OWN', os.path.isdir(os.environ['FUSEML_MODEL_DIR']))",
                MODEL);
        trainer.startAhead(ENVIRONMENT, project(dir, MODEL));
        WarmInterpreter ahead = trainer.warm.take(ENVIRONMENT, "").orElseThrow();
        run(project(ahead.workspace(), probe), ahead);
        assertThat(log.text("red-1")).contains("HIDDEN " + other.resolve("secret.txt"), "OWN True")
                .doesNotContain("SEES " + other.resolve("secret.txt"));
    }
}
