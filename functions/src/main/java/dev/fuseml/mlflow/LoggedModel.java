package dev.fuseml.mlflow;

import java.util.Map;
import java.util.TreeMap;

/**
 * An MLflow 3 LoggedModel: a model an MLflow client logged, with artifacts of its own at
 * {@code mlflow-artifacts:/ORG/SLOT/ID/artifacts}, usually from a run ({@code sourceRunId}).
 *
 * @param status {@code LOGGED_MODEL_PENDING} until the client finalizes it, then {@code LOGGED_MODEL_READY} (or
 *               {@code LOGGED_MODEL_UPLOAD_FAILED})
 */
public record LoggedModel(String id, String experimentId, String org, String slot, String name, String sourceRunId,
        String modelType, String status, String statusMessage, long creationTime, long lastUpdatedTime,
        Map<String, String> params, Map<String, String> tags, Map<String, Metric> metrics) {
    public static final String PENDING = "LOGGED_MODEL_PENDING";
    public static final String READY = "LOGGED_MODEL_READY";
    public static final String FAILED = "LOGGED_MODEL_UPLOAD_FAILED";

    public LoggedModel {
        params = new TreeMap<>(params == null ? Map.of() : params);
        tags = new TreeMap<>(tags == null ? Map.of() : tags);
        metrics = new TreeMap<>(metrics == null ? Map.of() : metrics);
    }

    public String artifactUri() {
        return "mlflow-artifacts:/" + org + "/" + slot + "/" + id + "/" + TrackingStore.ARTIFACTS;
    }

    LoggedModel with(String newStatus, String message, long now, Map<String, String> newTags,
            Map<String, Metric> newMetrics, Map<String, String> newParams) {
        return new LoggedModel(id, experimentId, org, slot, name, sourceRunId, modelType, newStatus, message,
                creationTime, now, newParams, newTags, newMetrics);
    }
}
