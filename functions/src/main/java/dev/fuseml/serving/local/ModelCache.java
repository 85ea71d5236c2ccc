package dev.fuseml.serving.local;

import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.step.StepFailure;
import dev.fuseml.workspace.Workspaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The served versions' model directories on this machine ({@code serving/models/ORG/APP/VERSION}), each downloaded
 * once by its artifact URI: a download goes to a partial directory that is renamed when complete, so a crash never
 * leaves half a model where a whole one is expected.
 */
final class ModelCache {
    private final Path root;
    private final ArtifactStore artifacts;

    /** @param root {@code serving/models} */
    ModelCache(Path root, ArtifactStore artifacts) {
        this.root = root;
        this.artifacts = artifacts;
    }

    /** The model directory of {@code version} of the app, downloaded from {@code modelUri} the first time. */
    Path fetch(String org, String app, int version, String modelUri) throws Exception {
        Path dir = root.resolve(org).resolve(app).resolve(Integer.toString(version));
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path partial = dir.resolveSibling(version + ".partial");
        Workspaces.delete(partial);
        try {
            artifacts.download(modelUri, partial);
        } catch (IOException e) {
            Workspaces.delete(partial);
            throw new StepFailure("the model of version " + version + " could not be fetched from " + modelUri
                    + ": " + e.getMessage());
        }
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** Where an org's models are: what its prediction workers may read. */
    Path orgDir(String org) {
        try {
            return Files.createDirectories(root.resolve(org));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void remove(String org, String app) {
        Workspaces.delete(root.resolve(org).resolve(app));
    }
}
