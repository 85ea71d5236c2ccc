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

    /**
     * One file of the artifact, or empty when it has none of that path. This default downloads the whole artifact;
     * a store that can fetch one file does.
     */
    default java.util.Optional<byte[]> file(String uri, String path) throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("fuseml-artifact-");
        try {
            download(uri, dir.resolve("a"));
            Path file = dir.resolve("a").resolve(path).normalize();
            return file.startsWith(dir.resolve("a")) && java.nio.file.Files.isRegularFile(file)
                    ? java.util.Optional.of(java.nio.file.Files.readAllBytes(file)) : java.util.Optional.empty();
        } finally {
            try (var all = java.nio.file.Files.walk(dir)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
