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
import dev.fuseml.train.Trainer;
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

    /** Without a tracking server: the code must write its model to {@code $FUSEML_MODEL_DIR}. */
    public ProcessTrainer(Duration timeout, StepLog log, CodesetSource codesets, Workspaces workspaces, Venvs venvs,
            ArtifactStore artifacts) {
        this(timeout, log, codesets, workspaces, venvs, artifacts, Tracking.NONE, run -> "");
    }

    /**
     * @param tracking the control plane's MLflow tracking: each training is an MLflow run the code logs to
     * @param tokens   the token the code gets as {@code MLFLOW_TRACKING_TOKEN} (one that reaches its run only)
     */
    public ProcessTrainer(Duration timeout, StepLog log, CodesetSource codesets, Workspaces workspaces, Venvs venvs,
            ArtifactStore artifacts, Tracking tracking, RunTokens tokens) {
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
        try {
            Path code = work.resolve("code");
            codesets.checkout(job.repository(), job.commit(), code);
            Project project = Project.inspectOrFail(code, job.entryPoint(), job.params());
            String environment = venvs.resolve(runId, STEP, job.ref().org(), job.environment(),
                    project.dependencies());
            Path modelDir = work.resolve("model");
            Tracking.Started mlflow = tracking.start(job.ref());
            Map<String, String> mlflowEnv = mlflow == null ? Map.of() : mlflow.environment(tokens.tokenFor(job.ref()));
            Map<String, Double> metrics;
            try {
                metrics = run(runId, project, venvs.dir(environment), modelDir, pidFile, mlflowEnv, mlflow != null);
            } catch (Exception failed) {
                endQuietly(job.ref());
                throw failed;
            }
            boolean adopt = mlflow != null && !Files.exists(modelDir.resolve(MLModel.FILE)) && isEmpty(modelDir);
            Tracking.Ended ended = tracking.end(job.ref(), true, adopt, ServingSettings.modelName(code));
            if (ended.modelUri().isPresent()) {
                Workspaces.delete(modelDir);
                artifacts.download(ended.modelUri().get(), modelDir);
                log.note(runId, STEP, "took the model the run logged through MLflow");
            }
            checkModel(modelDir, "");
            ended.metrics().forEach((k, v) -> {
                if (Double.isFinite(v)) {
                    metrics.put(k, v); // the last value logged through MLflow; NaN and infinities do not travel
                }
            });
            if (!Files.exists(modelDir.resolve("requirements.txt")) && !project.dependencies().requirements()
                    .isEmpty()) {
                // As an MLflow model carries its requirements: a server on another machine builds from them.
                Files.write(modelDir.resolve("requirements.txt"), project.dependencies().requirements());
            }
            try {
                var serving = dev.fuseml.project.ServingSettings.read(code);
                if (serving.isPresent()) {
                    // the app's serving settings travel with the version, as its requirements do
                    dev.fuseml.state.JsonFiles.write(modelDir.resolve(dev.fuseml.project.ServingSettings.FILE),
                            serving.get());
                }
            } catch (dev.fuseml.project.InvalidProjectException e) {
                throw new StepFailure("the project was refused: " + e.getMessage());
            }
            long[] size = sizeOf(modelDir);
            log.note(runId, STEP, "storing the model: " + size[0] + " file(s), " + size[1] + " bytes");
            artifacts.upload(modelDir, job.modelUri());
            log.note(runId, STEP, "model stored at " + job.modelUri() + " (" + size[1] + " bytes)");
            return java.util.Optional.of(new TrainedModel(job.modelUri(), metrics, ended.params()));
        } finally {
            workspaces.remove(runId, STEP);
        }
    }

    /** Files and bytes under {@code dir}, for the log's account of what is uploaded. */
    private static long[] sizeOf(Path dir) throws IOException {
        long[] size = new long[2];
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.filter(Files::isRegularFile).forEach(f -> {
                size[0]++;
                size[1] += f.toFile().length();
            });
        }
        return size;
    }

    /** Runs the entry point's command; returns the metrics once it wrote a usable model to {@code modelDir}. */
    Map<String, Double> run(String runId, Project project, Path environment, Path modelDir, Path pidFile)
            throws Exception {
        return run(runId, project, environment, modelDir, pidFile, Map.of(), false);
    }

    /**
     * @param mlflow        the {@code MLFLOW_*} variables of the run's MLflow run
     * @param modelOptional whether the code may leave {@code modelDir} empty (it logs its model through MLflow)
     */
    Map<String, Double> run(String runId, Project project, Path environment, Path modelDir, Path pidFile,
            Map<String, String> mlflow, boolean modelOptional) throws Exception {
        Path metrics = modelDir.resolveSibling("metrics.json");
        Files.deleteIfExists(metrics);
        Files.createDirectories(modelDir);
        Path bin = environment.resolve("bin");
        Deque<String> last = new ArrayDeque<>();
        log.note(runId, STEP, "running: " + project.command());
        LoggedProcess process = LoggedProcess.of("bash", "-c", project.command());
        mlflow.forEach(process::environment);
        LoggedProcess.Result result = process
                .directory(project.dir())
                .environment("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"))
                .environment("VIRTUAL_ENV", environment.toString())
                .environment("PYTHONUNBUFFERED", "1")
                .environment(dev.fuseml.build.local.Venvs.NO_BYTECODE_ENV, "1")
                .environment(MODEL_DIR_ENV, modelDir.toAbsolutePath().toString())
                .environment(METRICS_FILE_ENV, metrics.toAbsolutePath().toString())
                .environment("FUSEML_RUN_ID", runId)
                .timeout(timeout)
                .minimalEnvironment()
                // the user's code sees its own workspace (code, model, metrics) and, read-only, its environment
                .confined(venvs.sandbox(), new Sandbox.Mounts(modelDir.resolveSibling("home"),
                        List.of(modelDir.getParent()), List.of(environment)))
                .pidFile(pidFile)
                .diesWithThisProcess(environment.resolve("bin").resolve("python").toString())
                .output(line -> {
                    log.append(runId, line);
                    synchronized (last) {
                        last.addLast(line);
                        if (last.size() > EXCERPT_LINES) {
                            last.removeFirst();
                        }
                    }
                })
                .run();
        log.note(runId, STEP, "the training process ran " + result.elapsed().toMillis() + " ms (exit code "
                + result.exitCode() + ")");
        String excerpt;
        synchronized (last) {
            excerpt = String.join("\n", last);
        }
        if (result.timedOut()) {
            throw new StepFailure("training took longer than " + timeout
                    + " (fuseml.train-timeout) and was stopped", excerpt);
        }
        if (result.exitCode() != 0) {
            throw new StepFailure("the training process exited with code " + result.exitCode() + ": "
                    + errorLine(List.copyOf(last)), excerpt);
        }
        if (!modelOptional || !isEmpty(modelDir)) {
            checkModel(modelDir, excerpt);
        }
        return readMetrics(metrics);
    }

    private static void checkModel(Path modelDir, String excerpt) {
        try {
            MLModel.read(modelDir);
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("the training process wrote no usable model: " + e.getMessage(), excerpt);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** A failed training's MLflow run is marked FAILED; what failed it is the step's failure, not this. */
    private void endQuietly(dev.fuseml.step.RunRef ref) {
        try {
            tracking.end(ref, false, false, null);
        } catch (Exception e) {
            log.note(ref.run(), STEP, "could not mark the MLflow run failed: " + e.getMessage());
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
