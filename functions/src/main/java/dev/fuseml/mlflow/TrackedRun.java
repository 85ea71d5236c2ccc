package dev.fuseml.mlflow;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An MLflow run. A FuseML run's training is the MLflow run of the same id in its app's experiment; runs that MLflow
 * clients create themselves get MLflow's 32 hex digits. Metric history is kept beside it ({@link TrackingStore}).
 *
 * @param metrics the latest value of each metric
 * @param models  the model directories an MLflow 2.x client logged ({@code runs/log-model}): their artifact paths
 * @param inputs  the dataset inputs it logged, as the client sent them
 * @param outputs the LoggedModels it logged as outputs (MLflow 3.x), as {@code {model_id, step}}
 */
public record TrackedRun(String id, String experimentId, String org, String slot, String name, String user,
        String status, long startTime, Long endTime, String lifecycleStage, Map<String, String> params,
        Map<String, String> tags, Map<String, Metric> metrics, List<String> models, List<JsonNode> inputs,
        List<JsonNode> outputs) {
    public static final List<String> STATUSES = List.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED");

    public TrackedRun {
        params = new TreeMap<>(params == null ? Map.of() : params);
        tags = new TreeMap<>(tags == null ? Map.of() : tags);
        metrics = new TreeMap<>(metrics == null ? Map.of() : metrics);
        models = List.copyOf(models == null ? List.of() : models);
        inputs = new ArrayList<>(inputs == null ? List.of() : inputs);
        outputs = new ArrayList<>(outputs == null ? List.of() : outputs);
    }

    /** Where its artifacts go ({@code artifact_uri}). */
    public String artifactUri() {
        return "mlflow-artifacts:/" + org + "/" + slot + "/" + id + "/" + TrackingStore.ARTIFACTS;
    }

    public boolean terminal() {
        return !"RUNNING".equals(status) && !"SCHEDULED".equals(status);
    }

    TrackedRun with(String newName, String newStatus, Long newEnd, String newStage) {
        return new TrackedRun(id, experimentId, org, slot, newName, user, newStatus, startTime, newEnd, newStage,
                params, tags, metrics, models, inputs, outputs);
    }

    TrackedRun withData(Map<String, String> p, Map<String, String> t, Map<String, Metric> m) {
        return new TrackedRun(id, experimentId, org, slot, name, user, status, startTime, endTime, lifecycleStage,
                p, t, m, models, inputs, outputs);
    }

    TrackedRun withLogs(List<String> m, List<JsonNode> in, List<JsonNode> out) {
        return new TrackedRun(id, experimentId, org, slot, name, user, status, startTime, endTime, lifecycleStage,
                params, tags, metrics, m, in, out);
    }
}
