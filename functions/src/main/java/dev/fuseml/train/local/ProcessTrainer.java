package dev.fuseml.train.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.step.StepLog;
import dev.fuseml.workspace.Workspaces;
import dev.fuseml.process.LoggedProcess;
import dev.fuseml.process.Sandbox;
import dev.fuseml.project.Project;
import dev.fuseml.registry.MLModel;
import dev.fuseml.step.StepFailure;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.train.RunTokens;
import dev.fuseml.train.Tracking;
import dev.fuseml.train.DvcConfig;
import dev.fuseml.train.ModelDirectory;
import dev.fuseml.train.Trainer;
import dev.fuseml.train.mlflow.ExternalTracking;
import dev.fuseml.train.mlflow.MlflowServer;
import dev.fuseml.project.ServingSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Training as a child process on this machine: the code is fetched from its codeset into scratch, the entry
 * point's command runs under {@code bash -c} in it, with the environment's {@code bin} first on PATH and the FuseML
 * contract variables set, and the model directory it writes is uploaded to the job's artifact URI.
 */
public class ProcessTrainer implements Trainer {
    public static final String MODEL_DIR_ENV = "FUSEML_MODEL_DIR";
    public static final String METRICS_FILE_ENV = "FUSEML_METRICS_FILE";
    private static final String STEP = dev.fuseml.eventing.Steps.TRAIN;
    private static final int EXCERPT_LINES = 20;
    private static final Pattern PYTHON_ERROR = Pattern.compile("^[A-Za-z_][\\w.]*(Error|Exception|Exit)\\b.*");

    private final Duration timeout;
    private final StepLog log;
    private final CodesetSource codesets;
    private final Workspaces workspaces;
    private final Venvs venvs;
    private final ArtifactStore artifacts;
    private final Tracking tracking;
    private final RunTokens tokens;
    private final dev.fuseml.extension.ToolAccess tools;
    /** Calls to the teams' tools (MLflow servers, Determined masters); made once, as it pools connections. */
    private final java.net.http.HttpClient toolsHttp = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(10)).build();
    private final dev.fuseml.train.determined.DeterminedTrainer determined;
    final WarmInterpreters warm;

    /** Without a tracking server: the code must write its model to {@code $FUSEML_MODEL_DIR}. */
    public ProcessTrainer(Duration timeout, StepLog log, CodesetSource codesets, Workspaces workspaces, Venvs venvs,
            ArtifactStore artifacts) {
        this(timeout, log, codesets, workspaces, venvs, artifacts, Tracking.NONE, run -> "",
                dev.fuseml.extension.ToolAccess.NONE);
    }

    /**
     * @param tracking the control plane's MLflow tracking: each training is an MLflow run the code logs to
     * @param tokens   the token the code gets as {@code MLFLOW_TRACKING_TOKEN} (one that reaches its run only)
     * @param tools    the org's registered tools: a DVC remote to pull data from
     */
    public ProcessTrainer(Duration timeout, StepLog log, CodesetSource codesets, Workspaces workspaces, Venvs venvs,
            ArtifactStore artifacts, Tracking tracking, RunTokens tokens, dev.fuseml.extension.ToolAccess tools) {
        this(timeout, log, codesets, workspaces, venvs, artifacts, tracking, tokens, tools,
                dev.fuseml.train.determined.DeterminedTrainer.of(codesets, workspaces, tools, artifacts, log, timeout));
    }

    /** @param determined trains the projects that ask for Determined ({@code training.target}) */
    public ProcessTrainer(Duration timeout, StepLog log, CodesetSource codesets, Workspaces workspaces, Venvs venvs,
            ArtifactStore artifacts, Tracking tracking, RunTokens tokens, dev.fuseml.extension.ToolAccess tools,
            dev.fuseml.train.determined.DeterminedTrainer determined) {
        this(timeout, log, codesets, workspaces, venvs, artifacts, tracking, tokens, tools, determined, null);
    }

    /**
     * @param warm the interpreters started ahead of their runs; null: every training starts its command with
     *             {@code bash -c} when its run comes
     */
    public ProcessTrainer(Duration timeout, StepLog log, CodesetSource codesets, Workspaces workspaces, Venvs venvs,
            ArtifactStore artifacts, Tracking tracking, RunTokens tokens, dev.fuseml.extension.ToolAccess tools,
            dev.fuseml.train.determined.DeterminedTrainer determined, WarmInterpreters warm) {
        this.warm = warm;
        this.tools = tools;
        this.determined = determined;
        this.tracking = tracking;
        this.tokens = tokens;
        this.timeout = timeout;
        this.log = log;
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.venvs = venvs;
        this.artifacts = artifacts;
    }

    @Override
    public java.util.Optional<TrainedModel> train(TrainingJob job) throws Exception {
        String runId = job.ref().run();
        Path pidFile = workspaces.dir(runId, STEP).resolveSibling(STEP + ".pid");
        if (LoggedProcess.stopRecorded(pidFile)) {
            log.note(runId, STEP, "stopped the training process of an earlier attempt, which was still running");
        }
        Path work = workspaces.fresh(runId, STEP);
        WarmInterpreter interpreter = null;
        String environment = null;
        Project project = null;
        try {
            Path code = work.resolve("code");
            codesets.checkout(job.repository(), job.commit(), code);
            project = Project.inspectOrFail(code, job.entryPoint(), job.params());
            environment = venvs.resolve(runId, STEP, job.ref().org(), job.environment(), project.dependencies());
            dev.fuseml.project.ToolSettings settings = dev.fuseml.project.ToolSettings.readOrFail(code);
            if (settings.trainsOnDetermined()) {
                return java.util.Optional.of(determined.train(job, project, work.resolve("model")));
            }
            if (warm != null && PythonScript.argv(project.command()).isPresent()) {
                interpreter = warm.take(environment, venvs.buildMark(environment)).orElse(null);
                if (interpreter != null) {
                    // its sandbox was made for its workspace: the run moves in (a rename, the same file system)
                    code = Files.move(code, interpreter.workspace().resolve("code"));
                    project = Project.inspectOrFail(code, job.entryPoint(), job.params());
                    work = interpreter.workspace();
                }
            }
            Path modelDir = work.resolve("model");
            pullData(job.ref(), project, venvs.dir(environment), modelDir, pidFile);
            Trained trained = here(job, project, settings, environment, modelDir, pidFile, interpreter);
            Map<String, Double> metrics = trained.metrics();
            Tracking.Ended ended = trained.tracked();
            ended.metrics().forEach((k, v) -> {
                if (Double.isFinite(v)) {
                    metrics.put(k, v); // the last value logged through MLflow; NaN and infinities do not travel
                }
            });
            TrainedModel stored = ModelDirectory.store(job, project, code, modelDir, metrics, ended.params(),
                    artifacts, log, "");
            if (trained.teamsModel() != null) {
                // once FuseML took the model: a version of the team's registry is one FuseML serves
                registerOnTeamsServer(job.ref(), trained.teamsModel());
            }
            return java.util.Optional.of(stored);
        } finally {
            if (interpreter != null) {
                WarmInterpreters.discard(interpreter);
            }
            workspaces.remove(runId, STEP);
            if (warm != null && project != null && environment != null
                    && PythonScript.argv(project.command()).isPresent()) {
                startAhead(environment, project);
            }
        }
    }

    /** An interpreter for the environment's next training, importing what this one did (see WarmInterpreters). */
    void startAhead(String environment, Project project) {
        Path env = venvs.dir(environment);
        warm.prepare(environment, venvs.buildMark(environment), project.dependencies().names(),
                (workspace, script) -> interpreterProcess(workspace, env, script));
    }

    /** The environment's Python on FuseML's interpreter {@code script}, confined to {@code workspace} as a run is. */
    private LoggedProcess interpreterProcess(Path workspace, Path env, Path script) {
        return userProcess(List.of(env.resolve("bin").resolve("python").toString(), "-u", script.toString()),
                workspace, env, workspace.resolve("model"), List.of(script));
    }

    /**
     * The entry point as a process of this machine, its MLflow run on FuseML's tracking server or the one MLproject
     * names: the metrics it reported, and what its MLflow run logged (the model it logged there is in
     * {@code modelDir} when it wrote none itself).
     */
    private Trained here(TrainingJob job, Project project,
            dev.fuseml.project.ToolSettings settings, String environment, Path modelDir, Path pidFile,
            WarmInterpreter interpreter) throws Exception {
        String runId = job.ref().run();
        Path code = project.dir();
        ExternalTracking external = externalTracking(job.ref(), settings);
        Tracking.Started mlflow = external != null ? external.start(job.ref()) : tracking.start(job.ref());
        Map<String, String> mlflowEnv = mlflow == null ? Map.of() : external != null
                ? external.environment(mlflow) : mlflow.environment(tokens.tokenFor(job.ref()));
        if (external != null) {
            log.note(runId, STEP, "the MLflow run is " + mlflow.runId() + " of experiment " + mlflow.experimentId()
                    + " on " + external.server());
        }
        Map<String, Double> metrics;
        try {
            metrics = run(runId, project, venvs.dir(environment), environment, modelDir, pidFile, mlflowEnv,
                    mlflow != null, interpreter);
        } catch (Exception failed) {
            endQuietly(job.ref(), external, mlflow);
            throw failed;
        }
        boolean adopt = mlflow != null && !Files.exists(modelDir.resolve(MLModel.FILE)) && isEmpty(modelDir);
        if (external != null) {
            Tracking.Ended ended = external.end(mlflow, true);
            ExternalTracking.LoggedModel taken = adopt ? takeTeamsModel(job.ref(), external, mlflow,
                    ServingSettings.modelName(code), modelDir) : null;
            return new Trained(metrics, ended, taken == null ? null : new TeamsModel(external, mlflow, taken));
        }
        Tracking.Ended ended = tracking.end(job.ref(), true, adopt, ServingSettings.modelName(code));
        if (ended.modelUri().isPresent()) {
            Workspaces.delete(modelDir);
            artifacts.download(ended.modelUri().get(), modelDir);
            log.note(runId, STEP, "took the model the run logged through MLflow");
        }
        return new Trained(metrics, ended, null);
    }

    /**
     * What a training here reported: the metrics it wrote, what its MLflow run logged, and the model it logged on
     * the team's MLflow server when that is the run's model (null otherwise).
     */
    private record Trained(Map<String, Double> metrics, Tracking.Ended tracked, TeamsModel teamsModel) {
    }

    /** A model logged on a team's MLflow server, taken as the run's model. */
    private record TeamsModel(ExternalTracking server, Tracking.Started run, ExternalTracking.LoggedModel model) {
    }


    /** Runs the entry point's command; returns the metrics once it wrote a usable model to {@code modelDir}. */
    Map<String, Double> run(String runId, Project project, Path env, Path modelDir, Path pidFile)
            throws Exception {
        return run(runId, project, env, null, modelDir, pidFile, Map.of(), false, null);
    }

    /**
     * @param mlflow        the {@code MLFLOW_*} variables of the run's MLflow run
     * @param modelOptional whether the code may leave {@code modelDir} empty (it logs its model through MLflow)
     * @param environment   the reference of the environment {@code env} (what its interpreters are kept by)
     * @param interpreter   the interpreter started ahead for this run (its workspace holds {@code modelDir}), or null
     */
    Map<String, Double> run(String runId, Project project, Path env, String environment, Path modelDir,
            Path pidFile, Map<String, String> mlflow, boolean modelOptional, WarmInterpreter interpreter)
            throws Exception {
        Path metrics = modelDir.resolveSibling("metrics.json");
        Files.deleteIfExists(metrics);
        Files.createDirectories(modelDir);
        OutputTail last = new OutputTail(line -> log.append(runId, line));
        log.note(runId, STEP, "running: " + project.command());
        Map<String, String> runEnv = new LinkedHashMap<>(mlflow);
        runEnv.put(METRICS_FILE_ENV, metrics.toAbsolutePath().toString());
        runEnv.put("FUSEML_RUN_ID", runId);
        java.util.Optional<List<String>> script = warm == null || environment == null ? java.util.Optional.empty()
                : PythonScript.argv(project.command());
        LoggedProcess.Result result;
        if (script.isPresent()) {
            // a Python script runs in an interpreter of FuseML's script: started ahead when one waited, else now
            if (interpreter != null) {
                log.note(runId, STEP, "its interpreter was started " + interpreter.age().toMillis() + " ms ahead and "
                        + "imported what the environment's last training did (fuseml.train-warm-idle=0 starts each "
                        + "when its run comes)");
            } else {
                interpreter = WarmInterpreter.start(modelDir.getParent(), interpreterProcess(modelDir.getParent(),
                        env, warm.script()), List.of(), List.of());
            }
            Path imports = modelDir.resolveSibling(".fuseml-imports");
            try {
                result = interpreter.run(script.get(), project.dir(), runEnv, imports, last, timeout, pidFile);
            } finally {
                interpreter.close();
            }
            warm.learn(environment, imports);
        } else {
            LoggedProcess process = userProcess(List.of("bash", "-c", project.command()), project.dir(), env,
                    modelDir, List.of()).pidFile(pidFile).diesWithThisProcess(env.resolve("bin").resolve("python")
                    .toString()).output(last);
            runEnv.forEach(process::environment);
            result = process.run();
        }
        log.note(runId, STEP, "the training process ran " + result.elapsed().toMillis() + " ms (exit code "
                + result.exitCode() + ")");
        String excerpt = last.excerpt();
        if (result.timedOut()) {
            throw new StepFailure("training took longer than " + timeout
                    + " (fuseml.train-timeout) and was stopped", excerpt);
        }
        if (result.exitCode() != 0) {
            throw new StepFailure("the training process exited with code " + result.exitCode() + ": "
                    + errorLine(last.lines()), excerpt);
        }
        if (!modelOptional || !isEmpty(modelDir)) {
            ModelDirectory.check(modelDir, excerpt);
        }
        return readMetrics(metrics);
    }

    /**
     * A process of the user's (the entry point, {@code dvc pull}): in the code's directory, the environment's
     * {@code bin} first on PATH, the FuseML contract's variables and nothing of the orchestrator's, confined to its
     * workspace, stopped at the training's time limit and with this process.
     */
    private LoggedProcess userProcess(List<String> command, Path directory, Path environment, Path modelDir,
            List<Path> alsoReadable) {
        Path bin = environment.resolve("bin");
        List<Path> readable = new java.util.ArrayList<>(List.of(environment));
        readable.addAll(alsoReadable);
        return LoggedProcess.of(command)
                .directory(directory)
                .environment("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"))
                .environment("VIRTUAL_ENV", environment.toString())
                .environment("PYTHONUNBUFFERED", "1")
                .environment(dev.fuseml.build.local.Venvs.NO_BYTECODE_ENV, "1")
                .environment(MODEL_DIR_ENV, modelDir.toAbsolutePath().toString())
                .timeout(timeout)
                .minimalEnvironment()
                // the user's code sees its own workspace (code, model, metrics) and, read-only, its environment
                .confined(venvs.sandbox(), new Sandbox.Mounts(modelDir.resolveSibling("home"),
                        List.of(modelDir.getParent()), readable));
    }

    /**
     * DVC's part: when the project lists {@code dvc} in its requirements and is a DVC project ({@code .dvc/}), and
     * the org registered a {@code dvc-remote} extension, {@code dvc pull} fetches the data its {@code .dvc} files and
     * {@code dvc.lock} pin before the entry point runs. The remote's URL and credentials go to DVC as its local
     * config ({@code .dvc/config.local}, 0600, removed after the pull), never on a command line or in the log.
     */
    void pullData(dev.fuseml.step.RunRef ref, Project project, Path environment, Path modelDir, Path pidFile)
            throws Exception {
        if (!project.dependencies().requires("dvc")) {
            return;
        }
        String runId = ref.run();
        if (!Files.isDirectory(project.dir().resolve(".dvc"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            log.note(runId, STEP, "dvc is in the requirements but the project has no .dvc directory: nothing to pull");
            return;
        }
        String named = dev.fuseml.project.ToolSettings.readOrFail(project.dir()).dataRemote();
        var remote = tools.grant(ref, "dvc-remote", named);
        if (remote.isEmpty()) {
            log.note(runId, STEP, "no dvc-remote extension is registered: the data is not pulled (fuseml extensions "
                    + "add NAME --kind dvc-remote --url URL)");
            return;
        }
        String config = DvcConfig.local(remote.get().forUsersCode(ref.org()));
        // made anew, 0600 from the start, never through a link the project put there (the credentials would stay
        // wherever it points after the pull)
        Path local = project.dir().resolve(".dvc").resolve("config.local");
        Files.deleteIfExists(local);
        try (var out = Files.newByteChannel(local, java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
            out.write(java.nio.ByteBuffer.wrap(config.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        Files.createDirectories(modelDir);
        OutputTail last = new OutputTail(line -> log.append(runId, line));
        log.note(runId, STEP, "pulling the data DVC pins from " + remote.get());
        try {
            LoggedProcess.Result result = userProcess(List.of(environment.resolve("bin").resolve("dvc").toString(),
                    "pull", "--remote", remote.get().name()), project.dir(), environment, modelDir, List.of())
                    .pidFile(pidFile).diesWithThisProcess(environment.resolve("bin").resolve("python").toString())
                    .output(last).run();
            if (result.timedOut() || result.exitCode() != 0) {
                throw new StepFailure("dvc pull from " + remote.get() + " " + (result.timedOut()
                        ? "took longer than " + timeout : "exited with code " + result.exitCode() + ": "
                        + errorLine(last.lines())) + "; check the extension's URL and credentials "
                        + "(fuseml extensions add " + remote.get().name() + " ... replaces them)", last.excerpt());
            }
        } finally {
            Files.deleteIfExists(local);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * The team's MLflow server that MLproject's {@code tracking.server} names (an {@code mlflow} extension), or null
     * for FuseML's own.
     */
    private ExternalTracking externalTracking(dev.fuseml.step.RunRef ref, dev.fuseml.project.ToolSettings settings)
            throws Exception {
        if (!settings.externalTracking()) {
            return null;
        }
        var server = tools.grant(ref, "mlflow", settings.trackingServer()).orElseThrow(() -> new StepFailure(
                "MLproject's tracking.server names " + settings.trackingServer() + ", which is not registered"));
        return new ExternalTracking(new MlflowServer(server.forUsersCode(ref.org()), toolsHttp,
                java.time.Duration.ofMinutes(1)),
                settings.experiment() != null ? settings.experiment() : ref.org() + "/" + ref.app());
    }

    /**
     * Ends the run on the team's server and reads it: its params and metrics, and the model it logged when the code
     * wrote none to {@code $FUSEML_MODEL_DIR}; that model is registered in the server's registry as a version of
     * the app's model too.
     */
    private ExternalTracking.LoggedModel takeTeamsModel(dev.fuseml.step.RunRef ref, ExternalTracking external,
            Tracking.Started run, String modelName, Path modelDir) throws Exception {
        ExternalTracking.LoggedModel chosen = external.choose(external.logged(run), modelName);
        Workspaces.delete(modelDir);
        external.download(chosen, modelDir);
        log.note(ref.run(), STEP, "took model '" + chosen.name() + "' the run logged on " + external.server());
        return chosen;
    }

    /** The model as the next version of model APP in the team's registry; a server without one is noted. */
    private void registerOnTeamsServer(dev.fuseml.step.RunRef ref, TeamsModel taken) throws Exception {
        ExternalTracking.Registration version = taken.server().register(ref.app(), taken.run(), taken.model());
        log.note(ref.run(), STEP, version.version() != null ? "registered as version " + version.version()
                + " of model " + ref.app() + " on " + taken.server().server() : "not registered on "
                + taken.server().server() + ": " + version.refusal());
    }

    /** A failed training's MLflow run is marked FAILED; what failed it is the step's failure, not this. */
    private void endQuietly(dev.fuseml.step.RunRef ref, ExternalTracking external, Tracking.Started run) {
        try {
            if (external != null) {
                external.end(run, false);
                return;
            }
            tracking.end(ref, false, false, null);
        } catch (Exception e) {
            log.note(ref.run(), STEP, "could not mark the MLflow run failed: " + e.getMessage());
        }
    }

    /** Passes a process's lines on and keeps the last {@value #EXCERPT_LINES}, for a failure's excerpt. */
    private static final class OutputTail implements java.util.function.Consumer<String> {
        private final java.util.function.Consumer<String> next;
        private final Deque<String> last = new ArrayDeque<>();

        OutputTail(java.util.function.Consumer<String> next) {
            this.next = next;
        }

        @Override
        public void accept(String line) {
            next.accept(line);
            synchronized (last) {
                last.addLast(line);
                if (last.size() > EXCERPT_LINES) {
                    last.removeFirst();
                }
            }
        }

        List<String> lines() {
            synchronized (last) {
                return List.copyOf(last);
            }
        }

        String excerpt() {
            return String.join("\n", lines());
        }
    }

    /** The Python exception line of a traceback, or the last line of output. */
    static String errorLine(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (PYTHON_ERROR.matcher(lines.get(i).trim()).matches()) {
                return lines.get(i).trim();
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).trim();
            }
        }
        return "it printed nothing";
    }

    private static Map<String, Double> readMetrics(Path file) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return metrics;
        }
        JsonNode root;
        try {
            root = JsonFiles.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new StepFailure("$" + METRICS_FILE_ENV + " is not valid JSON: write a JSON object of metric name "
                    + "to number, such as {\"rmse\": 0.7}");
        }
        if (root == null || !root.isObject()) {
            throw new StepFailure("$" + METRICS_FILE_ENV + " must hold a JSON object of metric name to number");
        }
        for (var it = root.fields(); it.hasNext(); ) {
            var field = it.next();
            if (!field.getValue().isNumber()) {
                throw new StepFailure("metric '" + field.getKey() + "' in $" + METRICS_FILE_ENV + " is "
                        + field.getValue() + ", not a number");
            }
            metrics.put(field.getKey(), field.getValue().asDouble());
        }
        return metrics;
    }
}
