package dev.fuseml.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.Names;
import dev.fuseml.state.JsonFiles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * MLflow's tracking data as the control plane keeps it: {@code mlflow/experiments/ID.json}, {@code mlflow/runs/ID.json}
 * with {@code ID.history.jsonl} (every logged metric value), {@code mlflow/models/ID.json} (LoggedModels). All of it is
 * held in memory too, read once at start; the history is {@link MetricHistory}'s. Each change is checked against
 * MLflow's rules ({@link TrackingRules}: names and sizes; here: params logged once, active runs). Who may see what
 * is not here: see {@link MlflowAccess}.
 */
@ApplicationScoped
public class TrackingStore {
    /** The last segment of every run's and LoggedModel's artifact URI. */
    public static final String ARTIFACTS = "artifacts";

    private final Path root;
    private final Clock clock;
    private final MetricHistory history;
    private final Map<String, Experiment> experiments = new LinkedHashMap<>();
    private final Map<String, TrackedRun> runs = new LinkedHashMap<>();
    private final Map<String, LoggedModel> models = new LinkedHashMap<>();
    private long nextExperiment = 1;

    /**
     * How much the store keeps in all, per org and per experiment: everything is held in memory, so what one org's
     * clients can make is bounded.
     */
    public record Limits(int experimentsPerOrg, int runsPerExperiment, int modelsPerExperiment) {
        public static final Limits DEFAULT = new Limits(10_000, 100_000, 100_000);
    }

    private final Limits limits;

    @Inject
    public TrackingStore(FusemlConfig config) {
        this(config.dataDir().resolve("mlflow"), Clock.systemUTC());
    }

    public TrackingStore(Path root, Clock clock) {
        this(root, clock, Limits.DEFAULT);
    }

    public TrackingStore(Path root, Clock clock, Limits limits) {
        this.limits = limits;
        this.root = root;
        this.clock = clock;
        this.history = new MetricHistory(root.resolve("runs"));
        load("experiments", Experiment.class).forEach(e -> {
            experiments.put(e.id(), e);
            nextExperiment = Math.max(nextExperiment, Long.parseLong(e.id()) + 1);
        });
        load("runs", TrackedRun.class).forEach(r -> runs.put(r.id(), r));
        load("models", LoggedModel.class).forEach(m -> models.put(m.id(), m));
    }

    // ---- experiments

    /** Creates experiment {@code name} of {@code org} (the caller checked that the name starts with it). */
    public synchronized Experiment createExperiment(String org, String name, Map<String, String> tags) {
        TrackingRules.name("experiment name", name);
        if (experimentNamed(name).isPresent()) {
            throw new MlflowError(MlflowError.Code.RESOURCE_ALREADY_EXISTS, "Experiment '" + name + "' already "
                    + "exists.");
        }
        Map<String, String> checked = TrackingRules.tags(tags);
        if (experiments.values().stream().filter(e -> e.org().equals(org)).count() >= limits.experimentsPerOrg()) {
            throw MlflowError.invalid("org '" + org + "' has " + limits.experimentsPerOrg() + " experiments (deleted "
                    + "ones count), the most an org keeps: log to an existing experiment");
        }
        String id = Long.toString(nextExperiment++);
        String rest = name.substring(org.length() + 1);
        String slot = Names.valid(rest) ? rest : "mlflow-experiment-" + id;
        long now = clock.millis();
        Experiment e = new Experiment(id, org, name, slot, Experiment.ACTIVE, now, now, checked);
        save(e);
        return e;
    }

    /** The experiment of app {@code ORG/APP}, made when its first training starts (and made active again). */
    public synchronized Experiment appExperiment(String org, String app) {
        Names.require("org", org);
        Names.require("app", app);
        Optional<Experiment> existing = experimentNamed(org + "/" + app);
        if (existing.isPresent() && existing.get().slot().equals(app)) {
            Experiment e = existing.get();
            if (!Experiment.ACTIVE.equals(e.lifecycleStage())) {
                e = new Experiment(e.id(), e.org(), e.name(), e.slot(), Experiment.ACTIVE, e.creationTime(),
                        clock.millis(), e.tags());
                save(e);
            }
            return e;
        }
        if (existing.isPresent()) {
            throw new IllegalStateException("experiment " + existing.get().id() + " is named after app " + app
                    + " but keeps its artifacts elsewhere");
        }
        return createExperiment(org, org + "/" + app, Map.of("fuseml.app", app));
    }

    public synchronized Optional<Experiment> experiment(String id) {
        return Optional.ofNullable(id == null ? null : experiments.get(id));
    }

    public synchronized Optional<Experiment> experimentNamed(String name) {
        return experiments.values().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public synchronized List<Experiment> experiments() {
        return List.copyOf(experiments.values());
    }

    public synchronized Experiment setExperimentTag(String id, String key, String value) {
        Experiment e = experiments.get(id);
        Experiment tagged = e.withTag(TrackingRules.key("tag", key), TrackingRules.value("tag", key, value,
                TrackingRules.MAX_TAG_VALUE), clock.millis());
        save(tagged);
        return tagged;
    }

    /** Renames an experiment (the caller checked that the new name keeps its org). */
    public synchronized Experiment renameExperiment(String id, String newName) {
        TrackingRules.name("new_name", newName);
        Experiment e = experiments.get(id);
        if (e.tags().containsKey("fuseml.app")) {
            throw MlflowError.invalid("experiment " + e.name() + " is app " + e.slot() + "'s: it keeps its name, so "
                    + "that the app's next trainings log to it");
        }
        if (experimentNamed(newName).filter(other -> !other.id().equals(id)).isPresent()) {
            throw new MlflowError(MlflowError.Code.RESOURCE_ALREADY_EXISTS, "Experiment '" + newName + "' already "
                    + "exists.");
        }
        Experiment renamed = new Experiment(e.id(), e.org(), newName, e.slot(), e.lifecycleStage(), e.creationTime(),
                clock.millis(), e.tags());
        save(renamed);
        return renamed;
    }

    /** Deletes ({@code deleted}) or restores ({@code active}) an experiment, as MLflow marks it. */
    public synchronized Experiment setExperimentStage(String id, String stage) {
        Experiment e = experiments.get(id);
        Experiment changed = new Experiment(e.id(), e.org(), e.name(), e.slot(), stage, e.creationTime(),
                clock.millis(), e.tags());
        save(changed);
        return changed;
    }

    // ---- runs

    /** A run an MLflow client creates in {@code experiment}. */
    public synchronized TrackedRun createRun(Experiment experiment, String user, String name, Long startTime,
            Map<String, String> tags) {
        requireActive(experiment);
        if (runs.values().stream().filter(r -> r.experimentId().equals(experiment.id())).count()
                >= limits.runsPerExperiment()) {
            throw MlflowError.invalid("experiment " + experiment.id() + " has " + limits.runsPerExperiment()
                    + " runs, the most an experiment keeps: start another experiment");
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        Map<String, String> t = TrackingRules.tags(tags);
        String runName = name != null && !name.isBlank() ? name : t.getOrDefault("mlflow.runName", "run-"
                + id.substring(0, 8));
        TrackingRules.value("run name", "run_name", runName, TrackingRules.MAX_KEY);
        t.put("mlflow.runName", runName);
        if (user != null && !user.isBlank()) {
            t.putIfAbsent("mlflow.user", TrackingRules.value("user", "user_id", user, TrackingRules.MAX_KEY));
        }
        TrackedRun run = new TrackedRun(id, experiment.id(), experiment.org(), experiment.slot(), runName, user,
                "RUNNING", startTime != null ? startTime : clock.millis(), null, Experiment.ACTIVE, Map.of(), t,
                Map.of(), List.of(), List.of(), List.of());
        save(run);
        return run;
    }

    /**
     * The MLflow run of FuseML run {@code run} of {@code ORG/APP}, of the same id, running: made when its training
     * starts, and running again when a later attempt of the same training starts.
     */
    public synchronized TrackedRun startTraining(String org, String app, String run) {
        Experiment e = appExperiment(org, app);
        TrackedRun existing = runs.get(run);
        if (existing != null) {
            if (!existing.org().equals(org) || !existing.experimentId().equals(e.id())) {
                throw new IllegalStateException("MLflow run " + run + " belongs to another experiment");
            }
            TrackedRun again = existing.with(existing.name(), "RUNNING", null, Experiment.ACTIVE);
            save(again);
            return again;
        }
        Map<String, String> tags = Map.of("mlflow.runName", run, "mlflow.user", "fuseml", "mlflow.source.type",
                "PROJECT", "fuseml.run", run);
        TrackedRun created = new TrackedRun(run, e.id(), org, app, run, "fuseml", "RUNNING", clock.millis(), null,
                Experiment.ACTIVE, Map.of(), tags, Map.of(), List.of(), List.of(), List.of());
        save(created);
        return created;
    }

    public synchronized Optional<TrackedRun> run(String id) {
        return Optional.ofNullable(id == null ? null : runs.get(id));
    }

    public synchronized List<TrackedRun> runs(Collection<String> experimentIds) {
        return runs.values().stream().filter(r -> experimentIds.contains(r.experimentId())).toList();
    }

    /** MLflow's update-run: status, end time and name, each when given. */
    public synchronized TrackedRun updateRun(String id, String status, Long endTime, String name) {
        TrackedRun run = active(id);
        if (status != null && !TrackedRun.STATUSES.contains(status)) {
            throw MlflowError.invalid("status '" + status + "' is not one of " + TrackedRun.STATUSES);
        }
        String newName = name != null && !name.isBlank() ? TrackingRules.value("run name", "run_name", name,
                TrackingRules.MAX_KEY) : run.name();
        String newStatus = status != null ? status : run.status();
        Long end = endTime != null ? endTime : run.endTime();
        if (status != null && !"RUNNING".equals(status) && !"SCHEDULED".equals(status) && end == null) {
            end = clock.millis();
        }
        TrackedRun updated = run.with(newName, newStatus, "RUNNING".equals(newStatus) ? null : end,
                run.lifecycleStage());
        if (!newName.equals(run.name())) {
            Map<String, String> tags = new TreeMap<>(updated.tags());
            tags.put("mlflow.runName", newName);
            updated = updated.withData(updated.params(), tags, updated.metrics());
        }
        save(updated);
        return updated;
    }

    /** Deletes ({@code deleted}) or restores ({@code active}) a run, as MLflow marks it. */
    public synchronized TrackedRun setRunStage(String id, String stage) {
        TrackedRun run = require(id);
        TrackedRun changed = run.with(run.name(), run.status(), run.endTime(), stage);
        save(changed);
        return changed;
    }

    /**
     * MLflow's log-batch, which the single log calls are cases of: all of it is checked before any of it is kept.
     * A param keeps its first value: logging another is refused, logging the same again is not.
     */
    public synchronized void log(String runId, List<Metric> metrics, Map<String, String> params,
            Map<String, String> tags) {
        TrackedRun run = active(runId);
        TrackingRules.batch(metrics, params, tags);
        Map<String, String> newParams = new TreeMap<>(run.params());
        params.forEach((k, v) -> {
            String value = TrackingRules.value("param", TrackingRules.key("param", k), v,
                    TrackingRules.MAX_PARAM_VALUE);
            String old = newParams.get(k);
            if (old != null && !old.equals(value)) {
                throw MlflowError.invalid("Changing param values is not allowed. Param with key='" + k + "' was "
                        + "already logged with value='" + old + "' for run ID='" + runId + "'. Attempted logging "
                        + "new value '" + value + "'.");
            }
            newParams.put(k, value);
        });
        Map<String, String> newTags = new TreeMap<>(run.tags());
        newTags.putAll(TrackingRules.tags(tags));
        Map<String, Metric> latest = new TreeMap<>(run.metrics());
        for (Metric m : metrics) {
            TrackingRules.key("metric", m.key());
            latest.merge(m.key(), m, (a, b) -> Metric.LATEST.compare(a, b) >= 0 ? a : b);
        }
        TrackingRules.perRun("params", newParams.size());
        TrackingRules.perRun("tags", newTags.size());
        TrackingRules.perRun("metric keys", latest.size());
        int values = history.size(runId);
        if (values + metrics.size() > TrackingRules.MAX_HISTORY) {
            throw MlflowError.invalid("run " + runId + " holds " + values + " metric values, the most a run keeps "
                    + "is " + TrackingRules.MAX_HISTORY + ": log fewer steps, or log the rest as an artifact");
        }
        history.append(runId, metrics);
        if (newTags.containsKey("mlflow.runName") && !newTags.get("mlflow.runName").equals(run.name())) {
            run = run.with(newTags.get("mlflow.runName"), run.status(), run.endTime(), run.lifecycleStage());
        }
        save(run.withData(newParams, newTags, latest));
        for (Metric m : metrics) {
            if (m.modelId() != null && models.containsKey(m.modelId())) {
                LoggedModel model = models.get(m.modelId());
                Map<String, Metric> modelMetrics = new TreeMap<>(model.metrics());
                modelMetrics.merge(m.key(), m, (a, b) -> Metric.LATEST.compare(a, b) >= 0 ? a : b);
                save(model.with(model.status(), model.statusMessage(), model.lastUpdatedTime(), model.tags(),
                        modelMetrics, model.params()));
            }
        }
    }

    public synchronized void deleteTag(String runId, String key) {
        TrackedRun run = active(runId);
        if (!run.tags().containsKey(key)) {
            throw MlflowError.missing("No tag with name: " + key + " in run with id " + runId);
        }
        Map<String, String> tags = new TreeMap<>(run.tags());
        tags.remove(key);
        save(run.withData(run.params(), tags, run.metrics()));
    }

    /**
     * Every logged value of metric {@code key} of the run, in the order logged. A value logged again with the same
     * timestamp and step counts once, as in MLflow's store (MLflow 3 logs a run's step-0 metrics again with the id
     * of the model it logged).
     */
    public synchronized List<Metric> history(String runId, String key) {
        require(runId);
        return history.read(runId, key);
    }

    /** Datasets ({@code log-inputs}) as the client sent them, and LoggedModels it used as inputs. */
    public synchronized void logInputs(String runId, List<JsonNode> inputs) {
        TrackedRun run = active(runId);
        List<JsonNode> all = new ArrayList<>(run.inputs());
        all.addAll(inputs);
        TrackingRules.perRun("inputs", all.size());
        TrackingRules.inputsSize(all);
        save(run.withLogs(run.models(), all, run.outputs()));
    }

    /** LoggedModels the run made ({@code runs/outputs}, MLflow 3). */
    public synchronized void logOutputs(String runId, List<JsonNode> outputs) {
        TrackedRun run = active(runId);
        List<JsonNode> all = new ArrayList<>(run.outputs());
        outputs.stream().filter(o -> !all.contains(o)).forEach(all::add);
        TrackingRules.perRun("outputs", all.size());
        save(run.withLogs(run.models(), run.inputs(), all));
    }

    /**
     * MLflow 2.x's log-model: the model directory at {@code artifactPath} of the run's artifacts. Kept as MLflow
     * keeps it, in the {@code mlflow.log-model.history} tag, and in the run's list of models.
     */
    public synchronized void logModel(String runId, JsonNode model) {
        TrackedRun run = active(runId);
        String path = model == null ? null : model.path("artifact_path").asText(null);
        if (path == null || path.isBlank() || path.startsWith("/") || path.contains("..")
                || path.length() > TrackingRules.MAX_KEY) {
            throw MlflowError.invalid("model_json must name the model's artifact_path inside the run's artifacts, "
                    + "such as \"model\"");
        }
        List<String> paths = new ArrayList<>(run.models());
        if (!paths.contains(path)) {
            paths.add(path);
        }
        TrackingRules.perRun("logged models", paths.size());
        Map<String, String> tags = new TreeMap<>(run.tags());
        List<JsonNode> history = new ArrayList<>();
        try {
            JsonNode old = JsonFiles.MAPPER.readTree(tags.getOrDefault("mlflow.log-model.history", "[]"));
            old.forEach(history::add);
        } catch (IOException ignored) {
            // a history a client wrote by hand: start it again
        }
        history.add(model);
        String text;
        try {
            text = JsonFiles.MAPPER.writeValueAsString(history);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (text.length() <= TrackingRules.MAX_TAG_VALUE) {
            tags.put("mlflow.log-model.history", text);
        }
        save(run.withData(run.params(), tags, run.metrics()).withLogs(paths, run.inputs(), run.outputs()));
    }

    // ---- logged models (MLflow 3)

    public synchronized LoggedModel createModel(Experiment experiment, String name, String sourceRun,
            String modelType, Map<String, String> params, Map<String, String> tags) {
        requireActive(experiment);
        if (models.values().stream().filter(m -> m.experimentId().equals(experiment.id())).count()
                >= limits.modelsPerExperiment()) {
            throw MlflowError.invalid("experiment " + experiment.id() + " has " + limits.modelsPerExperiment()
                    + " LoggedModels, the most an experiment keeps: delete some or start another experiment");
        }
        String id = "m-" + UUID.randomUUID().toString().replace("-", "");
        String modelName = name == null || name.isBlank() ? "model" : TrackingRules.value("model name", "name", name,
                TrackingRules.MAX_KEY);
        if (sourceRun != null && !sourceRun.isBlank()) {
            TrackedRun run = require(sourceRun);
            if (!run.experimentId().equals(experiment.id())) {
                throw MlflowError.invalid("source_run_id " + sourceRun + " is a run of experiment "
                        + run.experimentId() + ", not of " + experiment.id());
            }
        }
        Map<String, String> p = TrackingRules.params(params);
        Map<String, String> t = TrackingRules.tags(tags);
        long now = clock.millis();
        LoggedModel model = new LoggedModel(id, experiment.id(), experiment.org(), experiment.slot(), modelName,
                sourceRun == null || sourceRun.isBlank() ? null : sourceRun, modelType, LoggedModel.PENDING, null,
                now, now, p, t, Map.of());
        save(model);
        return model;
    }

    public synchronized Optional<LoggedModel> model(String id) {
        return Optional.ofNullable(id == null ? null : models.get(id));
    }

    public synchronized List<LoggedModel> models() {
        return List.copyOf(models.values());
    }

    /** The LoggedModels logged from run {@code runId}, oldest first. */
    public synchronized List<LoggedModel> modelsOf(String runId) {
        return models.values().stream().filter(m -> runId.equals(m.sourceRunId())).toList();
    }

    public synchronized LoggedModel finalizeModel(String id, String status) {
        LoggedModel m = requireModel(id);
        if (!LoggedModel.READY.equals(status) && !LoggedModel.FAILED.equals(status)) {
            throw MlflowError.invalid("status must be " + LoggedModel.READY + " or " + LoggedModel.FAILED
                    + ", not '" + status + "'");
        }
        LoggedModel done = m.with(status, null, clock.millis(), m.tags(), m.metrics(), m.params());
        save(done);
        return done;
    }

    public synchronized LoggedModel setModelTags(String id, Map<String, String> tags) {
        LoggedModel m = requireModel(id);
        Map<String, String> t = new TreeMap<>(m.tags());
        t.putAll(TrackingRules.tags(tags));
        TrackingRules.perRun("tags", t.size());
        LoggedModel tagged = m.with(m.status(), m.statusMessage(), clock.millis(), t, m.metrics(), m.params());
        save(tagged);
        return tagged;
    }

    public synchronized LoggedModel setModelParams(String id, Map<String, String> params) {
        LoggedModel m = requireModel(id);
        Map<String, String> p = new TreeMap<>(m.params());
        p.putAll(TrackingRules.params(params));
        TrackingRules.perRun("params", p.size());
        LoggedModel changed = m.with(m.status(), m.statusMessage(), clock.millis(), m.tags(), m.metrics(), p);
        save(changed);
        return changed;
    }

    public synchronized LoggedModel deleteModelTag(String id, String key) {
        LoggedModel m = requireModel(id);
        if (!m.tags().containsKey(key)) {
            throw MlflowError.missing("No tag with key '" + key + "' on logged model " + id);
        }
        Map<String, String> t = new TreeMap<>(m.tags());
        t.remove(key);
        LoggedModel changed = m.with(m.status(), m.statusMessage(), clock.millis(), t, m.metrics(), m.params());
        save(changed);
        return changed;
    }

    public synchronized void deleteModel(String id) {
        requireModel(id);
        models.remove(id);
        try {
            Files.deleteIfExists(root.resolve("models").resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- rules

    private static void requireActive(Experiment e) {
        if (!Experiment.ACTIVE.equals(e.lifecycleStage())) {
            throw MlflowError.invalid("The experiment " + e.id() + " must be in the 'active' state. Current state "
                    + "is " + e.lifecycleStage() + ".");
        }
    }

    private TrackedRun require(String id) {
        TrackedRun run = id == null ? null : runs.get(id);
        if (run == null) {
            throw MlflowError.missing("Run with id=" + id + " not found");
        }
        return run;
    }

    private TrackedRun active(String id) {
        TrackedRun run = require(id);
        if (!Experiment.ACTIVE.equals(run.lifecycleStage())) {
            throw MlflowError.invalid("The run " + id + " must be in the 'active' state. Current state is "
                    + run.lifecycleStage() + ".");
        }
        return run;
    }

    private LoggedModel requireModel(String id) {
        LoggedModel m = id == null ? null : models.get(id);
        if (m == null) {
            throw MlflowError.missing("Logged model with ID '" + id + "' not found.");
        }
        return m;
    }

    // ---- files

    private void save(Experiment e) {
        JsonFiles.write(root.resolve("experiments").resolve(e.id() + ".json"), e);
        experiments.put(e.id(), e);
    }

    private void save(TrackedRun r) {
        JsonFiles.write(root.resolve("runs").resolve(r.id() + ".json"), r);
        runs.put(r.id(), r);
    }

    private void save(LoggedModel m) {
        JsonFiles.write(root.resolve("models").resolve(m.id() + ".json"), m);
        models.put(m.id(), m);
    }

    private <T> List<T> load(String kind, Class<T> type) {
        Path dir = root.resolve(kind);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted()
                    .map(p -> JsonFiles.read(p, type).orElseThrow()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }
}
