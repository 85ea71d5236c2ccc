package dev.fuseml.registry;

import java.util.Map;
import java.util.Optional;

/** Versions of each app's model, kept by the control plane; steps register and read them by reference. */
public interface ModelRegistry {
    /** What register sends: the model's artifact URI and its lineage. */
    record Registration(String run, String repository, String commit, Map<String, String> params,
            Map<String, Double> metrics, String environment, String modelUri) {
    }

    /**
     * Stores the model as the app's next version; registering the same run again returns its version.
     *
     * @throws dev.fuseml.step.StepFailure when the model cannot be registered (the message says why)
     */
    ModelVersion register(String org, String app, Registration registration) throws Exception;

    Optional<ModelVersion> get(String org, String app, int version) throws Exception;
}
