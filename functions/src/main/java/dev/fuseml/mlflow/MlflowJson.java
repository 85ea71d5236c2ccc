package dev.fuseml.mlflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of MLflow's REST API 2.0 as its clients send and read them ({@code mlflow/protos/service.proto} in JSON:
 * snake_case names, key-value lists for params and tags, int64 times in milliseconds).
 */
public final class MlflowJson {
    private MlflowJson() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KeyValue(String key, String value) {
    }

    // ---- answers

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExperimentJson(String experimentId, String name, String artifactLocation, String lifecycleStage,
            Long lastUpdateTime, Long creationTime, List<KeyValue> tags) {
        static ExperimentJson of(Experiment e) {
            return new ExperimentJson(e.id(), e.name(), e.artifactLocation(), e.lifecycleStage(), e.lastUpdateTime(),
                    e.creationTime(), pairs(e.tags()));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MetricJson(String key, Double value, Long timestamp, Long step, String modelId) {
        static MetricJson of(Metric m) {
            return new MetricJson(m.key(), m.value(), m.timestamp(), m.step(), m.modelId());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunInfo(String runId, String runUuid, String runName, String experimentId, String userId,
            String status, Long startTime, Long endTime, String artifactUri, String lifecycleStage) {
        static RunInfo of(TrackedRun r) {
            return new RunInfo(r.id(), r.id(), r.name(), r.experimentId(), r.user() == null ? "" : r.user(),
                    r.status(), r.startTime(), r.endTime(), r.artifactUri(), r.lifecycleStage());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunData(List<MetricJson> metrics, List<KeyValue> params, List<KeyValue> tags) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunJson(RunInfo info, RunData data, Map<String, Object> inputs, Map<String, Object> outputs) {
        static RunJson of(TrackedRun r) {
            List<JsonNode> models = new ArrayList<>();
            List<JsonNode> datasets = new ArrayList<>();
            r.inputs().forEach(i -> (i.has("model_id") ? models : datasets).add(i));
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("dataset_inputs", datasets);
            if (!models.isEmpty()) {
                inputs.put("model_inputs", models);
            }
            return new RunJson(RunInfo.of(r), new RunData(r.metrics().values().stream().map(MetricJson::of).toList(),
                    pairs(r.params()), pairs(r.tags())), inputs, Map.of("model_outputs", r.outputs()));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LoggedModelInfo(String modelId, String experimentId, String name, String artifactUri,
            Long creationTimestampMs, Long lastUpdatedTimestampMs, String status, String statusMessage,
            String modelType, String sourceRunId, List<KeyValue> tags) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LoggedModelData(List<KeyValue> params, List<MetricJson> metrics) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LoggedModelJson(LoggedModelInfo info, LoggedModelData data) {
        static LoggedModelJson of(LoggedModel m) {
            return new LoggedModelJson(new LoggedModelInfo(m.id(), m.experimentId(), m.name(), m.artifactUri(),
                    m.creationTime(), m.lastUpdatedTime(), m.status(), m.statusMessage(), m.modelType(),
                    m.sourceRunId(), pairs(m.tags())), new LoggedModelData(pairs(m.params()),
                    m.metrics().values().stream().map(MetricJson::of).toList()));
        }
    }

    // ---- requests

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateExperiment(String name, String artifactLocation, List<KeyValue> tags) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SetExperimentTag(String experimentId, String key, String value) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SearchExperiments(Long maxResults, String pageToken, String filter, List<String> orderBy,
            String viewType) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateRun(String experimentId, String userId, String runName, Long startTime, List<KeyValue> tags) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record UpdateRun(String runId, String runUuid, String status, Long endTime, String runName) {
        String id() {
            return runId != null ? runId : runUuid;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunRef(String runId, String runUuid) {
        String id() {
            return runId != null ? runId : runUuid;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LogParam(String runId, String runUuid, String key, String value) {
        String id() {
            return runId != null ? runId : runUuid;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LogMetric(String runId, String runUuid, String key, Double value, Long timestamp, Long step,
            String modelId) {
        String id() {
            return runId != null ? runId : runUuid;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LogBatch(String runId, List<LogMetric> metrics, List<KeyValue> params, List<KeyValue> tags) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SetTag(String runId, String runUuid, String key, String value) {
        String id() {
            return runId != null ? runId : runUuid;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SearchRuns(List<String> experimentIds, String filter, String runViewType, Long maxResults,
            List<String> orderBy, String pageToken) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LogInputs(String runId, List<JsonNode> datasets, List<JsonNode> models) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LogModel(String runId, String modelJson) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LogOutputs(String runId, List<JsonNode> models) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateLoggedModel(String experimentId, String name, String modelType, String sourceRunId,
            List<KeyValue> params, List<KeyValue> tags) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FinalizeLoggedModel(String modelId, String status) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SetLoggedModelTags(String modelId, List<KeyValue> tags) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SearchLoggedModels(List<String> experimentIds, String filter, List<JsonNode> orderBy,
            Long maxResults, String pageToken) {
    }

    // ---- helpers

    static List<KeyValue> pairs(Map<String, String> map) {
        return map.entrySet().stream().map(e -> new KeyValue(e.getKey(), e.getValue())).toList();
    }

    /** A key-value list as a map, refusing a pair without a key; the later of two equal keys wins. */
    static Map<String, String> map(List<KeyValue> pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        if (pairs != null) {
            for (KeyValue kv : pairs) {
                if (kv == null || kv.key() == null) {
                    throw MlflowError.invalid("every tag and param needs a key: send [{\"key\": ..., \"value\": ...}]");
                }
                map.put(kv.key(), kv.value());
            }
        }
        return map;
    }

    /** {@code value}, or MLflow's refusal of a missing required parameter. */
    static <T> T required(String name, T value) {
        if (value == null || (value instanceof String s && s.isEmpty())) {
            throw MlflowError.invalid("Missing value for required parameter '" + name + "'. See the API docs for "
                    + "more information about request parameters.");
        }
        return value;
    }
}
