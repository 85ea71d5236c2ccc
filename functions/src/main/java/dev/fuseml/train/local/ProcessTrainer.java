package dev.fuseml.train.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.FusemlConfig;
import dev.fuseml.process.LoggedProcess;
import dev.fuseml.project.Project;
import dev.fuseml.registry.MLModel;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.StepFailure;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.train.Trainer;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Training as a child process on this machine: the entry point's command under {@code bash -c} in the project
 * directory, with the environment's {@code bin} first on PATH and the FuseML contract variables set.
 */
@ApplicationScoped
public class ProcessTrainer implements Trainer {
    public static final String MODEL_DIR_ENV = "FUSEML_MODEL_DIR";
    public static final String METRICS_FILE_ENV = "FUSEML_METRICS_FILE";
    private static final int EXCERPT_LINES = 20;
    private static final Pattern PYTHON_ERROR = Pattern.compile("^[A-Za-z_][\\w.]*(Error|Exception|Exit)\\b.*");

    private final FusemlConfig config;
    private final RunLog log;

    public ProcessTrainer(FusemlConfig config, RunLog log) {
        this.config = config;
        this.log = log;
    }

    @Override
    public Map<String, Double> train(String runId, Project project, String environment, Path modelDir)
            throws Exception {
        Path metrics = modelDir.resolveSibling("metrics.json");
        Files.deleteIfExists(metrics);
        Files.createDirectories(modelDir);
        Path bin = Path.of(environment).resolve("bin");
        Deque<String> last = new ArrayDeque<>();
        log.note(runId, "train", "running: " + project.command());
        LoggedProcess.Result result = LoggedProcess.of("bash", "-c", project.command())
                .directory(project.dir())
                .environment("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"))
                .environment("VIRTUAL_ENV", environment)
                .environment("PYTHONUNBUFFERED", "1")
                .environment(MODEL_DIR_ENV, modelDir.toAbsolutePath().toString())
                .environment(METRICS_FILE_ENV, metrics.toAbsolutePath().toString())
                .environment("FUSEML_RUN_ID", runId)
                .timeout(config.trainTimeout())
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
        log.note(runId, "train", "the training process ran " + result.elapsed().toMillis() + " ms (exit code "
                + result.exitCode() + ")");
        String excerpt;
        synchronized (last) {
            excerpt = String.join("\n", last);
        }
        if (result.timedOut()) {
            throw new StepFailure("training took longer than " + config.trainTimeout()
                    + " (fuseml.train-timeout) and was stopped", excerpt);
        }
        if (result.exitCode() != 0) {
            throw new StepFailure("the training process exited with code " + result.exitCode() + ": "
                    + errorLine(List.copyOf(last)), excerpt);
        }
        try {
            MLModel.read(modelDir);
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("the training process wrote no usable model: " + e.getMessage(), excerpt);
        }
        return readMetrics(metrics);
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
