package dev.fuseml.train;

import dev.fuseml.step.RunRef;

import java.util.Map;
import java.util.Optional;

/**
 * The MLflow run of a training, kept by the control plane (its MLflow tracking server): made before the code runs,
 * so that the code gets what {@code mlflow run} gives it, and read when it ends, for the model and the metrics it
 * logged there.
 */
public interface Tracking {
    /** What a training process is told, as {@code mlflow run} tells it: {@code MLFLOW_*} variables. */
    record Started(String trackingUri, String experimentId, String runId) {
        /** The variables, with {@code token} (one that reaches this run only) as the tracking token. */
        public Map<String, String> environment(String token) {
            return Map.of("MLFLOW_TRACKING_URI", trackingUri, "MLFLOW_EXPERIMENT_ID", experimentId,
                    "MLFLOW_RUN_ID", runId, "MLFLOW_TRACKING_TOKEN", token);
        }
    }

    /**
     * What the run logged.
     *
     * @param modelUri the model it logged through MLflow, stored as the run's FuseML model; empty when none was asked
     */
    record Ended(Optional<String> modelUri, Map<String, String> params, Map<String, Double> metrics) {
    }

    /** The control plane's API bodies (mlflow/TrainingTrackingResource), from the step or a training Job. */
    record StartRequest(String org, String app) {
    }

    /**
     * @param teamServer for a training Job whose MLflow run is on a team's MLflow server (MLproject's
     *                   {@code tracking.server}): the extension, and the run there ({@code mlflowRunId} of
     *                   {@code experimentId}), which the control plane ends and reads with the org's credentials;
     *                   null for FuseML's own run
     */
    record EndRequest(String status, boolean adoptModel, String modelName, String teamServer, String mlflowRunId,
            String experimentId) {
        public EndRequest(String status, boolean adoptModel, String modelName) {
            this(status, adoptModel, modelName, null, null, null);
        }
    }

    record EndReply(String modelUri, Map<String, String> params, Map<String, Double> metrics) {
    }

    /** No tracking server: the code gets no {@code MLFLOW_*} variables and must write {@code $FUSEML_MODEL_DIR}. */
    Tracking NONE = new Tracking() {
        @Override
        public Started start(RunRef run) {
            return null;
        }

        @Override
        public Ended end(RunRef run, boolean succeeded, boolean adoptModel, String modelName) {
            return new Ended(Optional.empty(), Map.of(), Map.of());
        }
    };

    /** @return what to tell the code, or null when there is no tracking server */
    Started start(RunRef run) throws Exception;

    /**
     * Ends the MLflow run (FINISHED or FAILED, unless the code ended it) and reads what it logged.
     *
     * @param adoptModel whether to take the model the run logged through MLflow as the run's model (the code wrote
     *                   none to {@code $FUSEML_MODEL_DIR})
     * @param modelName  the logged model to take when it logged several (MLproject's {@code serving.model}), or null
     * @throws dev.fuseml.step.StepFailure when a model is asked and the run logged none, or several and none named
     */
    Ended end(RunRef run, boolean succeeded, boolean adoptModel, String modelName) throws Exception;
}
