package dev.fuseml.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A registered model version and its lineage: the run, code, parameters and metrics that produced it.
 *
 * @param uri         the artifact URI of the MLflow model directory
 * @param environment the environment reference it was trained in, which serving reuses
 * @param replaced    the version that was served when this one was first served (null: none, or not served yet)
 * @param datasets    the dataset versions its commit pins through DVC ({@code .dvc} files, {@code dvc.lock})
 */
public record ModelVersion(String org, String app, int version, String run, String repository, String commit,
        Map<String, String> params, Map<String, Double> metrics, String environment, List<String> flavors,
        String uri, Instant created, Integer replaced, List<dev.fuseml.dvc.Dataset> datasets) {
    public ModelVersion {
        datasets = datasets == null ? List.of() : List.copyOf(datasets); // versions registered before lineage
    }

    public ModelVersion withReplaced(Integer previous) {
        return new ModelVersion(org, app, version, run, repository, commit, params, metrics, environment, flavors,
                uri, created, previous, datasets);
    }
}
