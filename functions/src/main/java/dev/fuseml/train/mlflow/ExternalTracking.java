package dev.fuseml.train.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;
import dev.fuseml.train.Tracking;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A training's MLflow run on a team's own MLflow tracking server (an {@code mlflow} extension named in MLproject's
 * {@code tracking.server}) instead of FuseML's: the run is made there before the code runs, the code gets that
 * server's URI and credentials, and when it ends FuseML reads the run's params and metrics and the model it logged
 * from that server (MLflow 2.x's {@code mlflow.log-model.history}, or 3.x's LoggedModels), and registers the model as
 * a version of the app's model in that server's registry too.
 */
public final class ExternalTracking {
    /** The largest model FuseML copies from a tracking server. */
    static final long MAX_MODEL_BYTES = 2L << 30;
    static final int MAX_MODEL_FILES = 10_000;
    private final MlflowServer server;
    private final String experimentName;

    /** @param experimentName the MLflow experiment of the app's trainings (default {@code ORG/APP}) */
    public ExternalTracking(MlflowServer server, String experimentName) {
        this.server = server;
        this.experimentName = experimentName;
    }

    /** The server, as the run's log names it (never its credentials). */
    public String server() {
        return "MLflow server " + server.grant().name() + " (" + server.url() + ")";
    }

    /** A model the run logged: its name and its artifact URI on the server. */
    public record LoggedModel(String name, String artifactUri, String modelId) {
    }

    /** Makes the experiment when the server has none of that name, and a run in it for this training. */
    public Tracking.Started start(RunRef ref) throws IOException, InterruptedException {
        MlflowServer.Answer found = server.get("api/2.0/mlflow/experiments/get-by-name",
                Map.of("experiment_name", experimentName));
        String experiment;
        if (found.ok()) {
            JsonNode e = found.json().path("experiment");
            if ("deleted".equals(e.path("lifecycle_stage").asText())) {
                throw new StepFailure("experiment " + experimentName + " is deleted on MLflow server "
                        + server.grant().name() + ": restore it there, or name another in MLproject's "
                        + "tracking.experiment");
            }
            experiment = e.path("experiment_id").asText();
        } else if (found.status() == 404 || "RESOURCE_DOES_NOT_EXIST".equals(found.json().path("error_code")
                .asText())) {
            MlflowServer.Answer created = server.post("api/2.0/mlflow/experiments/create", Map.of("name",
                    experimentName));
            if (created.ok()) {
                experiment = created.json().path("experiment_id").asText();
            } else if ("RESOURCE_ALREADY_EXISTS".equals(created.json().path("error_code").asText())) {
                // another training of the app made it meanwhile, or it is deleted (MLflow keeps the name)
                MlflowServer.Answer again = server.get("api/2.0/mlflow/experiments/get-by-name",
                        Map.of("experiment_name", experimentName));
                if (!again.ok()) {
                    throw new StepFailure("experiment " + experimentName + " exists on MLflow server "
                            + server.grant().name() + " but cannot be read (it may be deleted: restore it, or name "
                            + "another in MLproject's tracking.experiment)");
                }
                experiment = again.json().path("experiment").path("experiment_id").asText();
            } else {
                throw server.refused("create experiment " + experimentName, created);
            }
        } else {
            throw server.refused("find experiment " + experimentName, found);
        }
        JsonNode run = server.require("create a run", "api/2.0/mlflow/runs/create", Map.of(
                "experiment_id", experiment, "start_time", System.currentTimeMillis(), "run_name", ref.run(),
                "tags", List.of(tag("fuseml.run", ref.run()), tag("fuseml.org", ref.org()), tag("fuseml.app",
                        ref.app()), tag("mlflow.runName", ref.run()), tag("mlflow.source.type", "PROJECT"))));
        String runId = run.path("run").path("info").path("run_id").asText("");
        if (runId.isEmpty()) {
            throw new StepFailure("MLflow server " + server.grant().name() + " made a run without a run_id");
        }
        return new Tracking.Started(server.url(), experiment, runId);
    }

    /** What the code is told: {@code mlflow run}'s variables, with the server's own credentials. */
    public Map<String, String> environment(Tracking.Started started) {
        Map<String, String> vars = new LinkedHashMap<>(Map.of("MLFLOW_TRACKING_URI", started.trackingUri(),
                "MLFLOW_EXPERIMENT_ID", started.experimentId(), "MLFLOW_RUN_ID", started.runId()));
        vars.putAll(server.credentialVariables());
        return vars;
    }

    /** Ends the run (FINISHED or FAILED, unless the code ended it) and reads its params and last metrics. */
    public Tracking.Ended end(Tracking.Started started, boolean succeeded) throws IOException, InterruptedException {
        JsonNode run = run(started);
        if ("RUNNING".equals(run.path("info").path("status").asText("RUNNING"))) {
            server.require("end run " + started.runId(), "api/2.0/mlflow/runs/update", Map.of("run_id",
                    started.runId(), "status", succeeded ? "FINISHED" : "FAILED", "end_time",
                    System.currentTimeMillis()));
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (JsonNode p : run.path("data").path("params")) {
            params.put(p.path("key").asText(), p.path("value").asText());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (JsonNode m : run.path("data").path("metrics")) {
            if (m.path("value").isNumber()) {
                metrics.put(m.path("key").asText(), m.path("value").asDouble());
            }
        }
        return new Tracking.Ended(Optional.empty(), params, metrics);
    }

    /**
     * The models the run logged, by name: MLflow 2.x's directories of the run's artifacts, and 3.x's LoggedModels
     * whose source is the run (which shadow a 2.x model of the same name, as on FuseML's own server).
     */
    public List<LoggedModel> logged(Tracking.Started started) throws IOException, InterruptedException {
        JsonNode run = run(started);
        Map<String, LoggedModel> byName = new LinkedHashMap<>();
        String root = run.path("info").path("artifact_uri").asText("");
        for (JsonNode tag : run.path("data").path("tags")) {
            if (tag.path("key").asText().equals("mlflow.log-model.history")) {
                try {
                    for (JsonNode model : MlflowServer.JSON.readTree(tag.path("value").asText("[]"))) {
                        String path = model.path("artifact_path").asText("");
                        if (!path.isEmpty() && !root.isEmpty()) {
                            byName.put(path, new LoggedModel(path, root.replaceAll("/+$", "") + "/" + path, null));
                        }
                    }
                } catch (IOException ignored) {
                    // a history written by hand: no 2.x models
                }
            }
        }
        MlflowServer.Answer search = server.post("api/2.0/mlflow/logged-models/search", Map.of("experiment_ids",
                List.of(started.experimentId()), "filter", "source_run_id = '" + started.runId() + "'",
                "max_results", 100));
        if (search.ok()) { // a server before MLflow 3 has no LoggedModels: 404, and only 2.x models
            for (JsonNode model : search.json().path("models")) {
                JsonNode info = model.path("info");
                if ("LOGGED_MODEL_READY".equals(info.path("status").asText())
                        && started.runId().equals(info.path("source_run_id").asText(started.runId()))) {
                    byName.put(info.path("name").asText(), new LoggedModel(info.path("name").asText(),
                            info.path("artifact_uri").asText(), info.path("model_id").asText(null)));
                }
            }
        }
        return new ArrayList<>(byName.values());
    }

    /**
     * The model to serve: the one MLproject names ({@code serving.model}), else the only one logged.
     *
     * @throws StepFailure when none, or several and none named, or not the named one
     */
    public LoggedModel choose(List<LoggedModel> logged, String name) {
        List<String> names = logged.stream().map(LoggedModel::name).toList();
        if (name != null && !name.isBlank()) {
            return logged.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow(() ->
                    new StepFailure("MLproject's serving.model names '" + name + "', but the run on MLflow server "
                            + server.grant().name() + " logged " + (names.isEmpty() ? "no model" : "only " + names)));
        }
        if (logged.size() == 1) {
            return logged.get(0);
        }
        throw new StepFailure(logged.isEmpty() ? "the training wrote no model: log one with MLflow "
                + "(mlflow.sklearn.log_model(model, \"model\")) or write an MLflow model directory to $FUSEML_MODEL_DIR"
                : "the training logged " + logged.size() + " models " + names + " on MLflow server "
                + server.grant().name() + ": name the one to serve in MLproject, as serving: {model: NAME}");
    }

    /** Copies a logged model's files from the server's artifact proxy into {@code dir}. */
    public void download(LoggedModel model, Path dir) throws IOException, InterruptedException {
        String root = proxyPath(model.artifactUri());
        List<String> files = new ArrayList<>();
        list(root, "", files, 0);
        if (files.isEmpty()) {
            throw new StepFailure("model '" + model.name() + "' was logged on MLflow server " + server.grant().name()
                    + ", but none of its files are at " + model.artifactUri());
        }
        long budget = MAX_MODEL_BYTES;
        for (String file : files) {
            Path target = dir.resolve(file).normalize();
            if (!target.startsWith(dir)) {
                throw new StepFailure("MLflow server " + server.grant().name() + " listed a file outside the model: "
                        + file);
            }
            server.download(root + "/" + file, target, budget);
            budget -= java.nio.file.Files.size(target);
        }
    }

    /**
     * Registers the model as the next version of {@code name} in the server's model registry (made when missing).
     *
     * @return the version the server gave, or empty with why it did not take it (a server without a registry)
     */
    public Registration register(String name, Tracking.Started started, LoggedModel model)
            throws IOException, InterruptedException {
        MlflowServer.Answer created = server.post("api/2.0/mlflow/registered-models/create", Map.of("name", name));
        if (!created.ok() && !"RESOURCE_ALREADY_EXISTS".equals(created.json().path("error_code").asText())) {
            return new Registration(null, "registered model " + name + " was not made (" + created.error() + ")");
        }
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", name, "source", model.artifactUri(),
                "run_id", started.runId()));
        if (model.modelId() != null) {
            body.put("model_id", model.modelId());
        }
        MlflowServer.Answer version = server.post("api/2.0/mlflow/model-versions/create", body);
        return version.ok() ? new Registration(version.json().path("model_version").path("version").asText(null), null)
                : new Registration(null, "the version was not made (" + version.error() + ")");
    }

    /** A version of the server's registry, or why there is none. */
    public record Registration(String version, String refusal) {
    }

    private JsonNode run(Tracking.Started started) throws IOException, InterruptedException {
        MlflowServer.Answer answer = server.get("api/2.0/mlflow/runs/get", Map.of("run_id", started.runId()));
        if (!answer.ok()) {
            throw server.refused("read run " + started.runId(), answer);
        }
        return answer.json().path("run");
    }

    private void list(String root, String relative, List<String> files, int depth)
            throws IOException, InterruptedException {
        if (depth > 20 || files.size() > MAX_MODEL_FILES) {
            throw new StepFailure("the model at " + root + " on MLflow server " + server.grant().name()
                    + " has more than " + MAX_MODEL_FILES + " files or is nested too deep");
        }
        MlflowServer.Answer answer = server.get("api/2.0/mlflow-artifacts/artifacts", Map.of("path",
                relative.isEmpty() ? root : root + "/" + relative));
        if (!answer.ok()) {
            throw server.refused("list artifacts at " + root, answer);
        }
        for (JsonNode entry : answer.json().path("files")) {
            String name = entry.path("path").asText("");
            name = name.substring(name.lastIndexOf('/') + 1); // MLflow answers base names; some servers full paths
            if (name.isEmpty() || name.equals("..") || name.equals(".")) {
                continue;
            }
            String path = relative.isEmpty() ? name : relative + "/" + name;
            if (entry.path("is_dir").asBoolean(false)) {
                list(root, path, files, depth + 1);
            } else {
                files.add(path);
            }
        }
    }

    /**
     * The proxy path of an artifact URI: {@code mlflow-artifacts:/PATH} or {@code mlflow-artifacts://HOST/PATH}.
     * A server that keeps artifacts elsewhere (s3://, a file path) does not serve them to FuseML.
     */
    static String proxyPath(String artifactUri) {
        String prefix = "mlflow-artifacts:";
        if (artifactUri == null || !artifactUri.startsWith(prefix)) {
            throw new StepFailure("the model is at " + artifactUri + ", which FuseML reads only through the tracking "
                    + "server's artifact proxy: start the server with --serve-artifacts (artifact URIs "
                    + "mlflow-artifacts:/...)");
        }
        String rest = artifactUri.substring(prefix.length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        String path = rest.replaceAll("^/+", "").replaceAll("/+$", "");
        if (path.isEmpty() || path.contains("..")) {
            throw new StepFailure("artifact URI " + artifactUri + " names no artifact path");
        }
        return path;
    }

    private static Map<String, String> tag(String key, String value) {
        return Map.of("key", key, "value", value);
    }
}
