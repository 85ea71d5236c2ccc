package dev.fuseml.artifact;

import java.nio.file.Path;

/**
 * Artifacts (model directories) by URI, the way MLflow's artifact proxy serves {@code mlflow-artifacts:} URIs: a
 * step that makes one uploads it, a step on any other machine downloads it by its URI.
 */
public interface ArtifactStore {
    /** Uploads every file under {@code dir} to the artifact at {@code uri}, replacing what was there. */
    void upload(Path dir, String uri) throws Exception;

    /** Downloads the artifact at {@code uri} into {@code dir} (created; must be empty or missing). */
    void download(String uri, Path dir) throws Exception;
}
