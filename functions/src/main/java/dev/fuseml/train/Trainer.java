package dev.fuseml.train;

import dev.fuseml.step.RunRef;

import java.util.Map;

/** Runs a project's training entry point in its environment, and stores the model it writes as an artifact. */
public interface Trainer {
    /**
     * What to train, all by reference.
     *
     * @param environment the reference the builder of the same platform returned
     * @param modelUri    where the model directory is to be stored (an artifact URI)
     * @param serveTarget the model server the push asked for ({@code fuseml push --serve-target}), which the
     *                    version's serving settings carry instead of the project's; null: the project's
     */
    record TrainingJob(RunRef ref, String repository, String commit, String entryPoint, Map<String, String> params,
            String environment, String modelUri, String serveTarget) {
        /** A job whose model server is the project's choice. */
        public TrainingJob(RunRef ref, String repository, String commit, String entryPoint,
                Map<String, String> params, String environment, String modelUri) {
            this(ref, repository, commit, entryPoint, params, environment, modelUri, null);
        }
    }

    /**
     * The model, stored at the job's {@code modelUri}, and the metrics the code reported; the params it logged
     * through MLflow beside those it was given.
     */
    record TrainedModel(String modelUri, Map<String, Double> metrics, Map<String, String> params) {
        public TrainedModel(String modelUri, Map<String, Double> metrics) {
            this(modelUri, metrics, Map.of());
        }
    }

    /**
     * @return the model and its metrics; empty when the training reports its own result ({@code trained} or
     *         {@code failed}) to the broker when it ends, as a Kubernetes Job does, so that no step process waits
     * @throws dev.fuseml.step.StepFailure when the code fails, times out or writes no usable model
     */
    java.util.Optional<TrainedModel> train(TrainingJob job) throws Exception;
}
