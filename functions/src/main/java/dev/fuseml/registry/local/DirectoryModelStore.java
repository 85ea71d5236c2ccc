package dev.fuseml.registry.local;

import dev.fuseml.FusemlConfig;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.artifact.local.ArtifactFiles;
import dev.fuseml.registry.MLModel;
import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.StepFailure;
import dev.fuseml.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The control plane's registry: version N of an app is {@code models/ORG/APP/N.json}, naming the model by its
 * artifact URI, with its lineage. Registering checks that the artifact is a servable MLflow model, so a broken
 * model fails its run at register, not at serve.
 */
@ApplicationScoped
@Typed(DirectoryModelStore.class) // steps get the ModelRegistry the platform wires (over HTTP)
public class DirectoryModelStore implements ModelRegistry {
    private final Path root;
    private final ArtifactFiles artifacts;

    public DirectoryModelStore(FusemlConfig config, ArtifactFiles artifacts) {
        this.root = config.dataDir().resolve("models");
        this.artifacts = artifacts;
    }

    @Override
    public synchronized ModelVersion register(String org, String app, Registration registration) {
        Optional<ModelVersion> existing = list(org, app).stream()
                .filter(v -> v.run().equals(registration.run())).findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        ArtifactUri uri;
        try {
            uri = ArtifactUri.parse(registration.modelUri());
        } catch (IllegalArgumentException e) {
            throw new StepFailure("cannot register the model: " + e.getMessage());
        }
        MLModel model;
        try {
            model = MLModel.read(artifacts.dir(uri));
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("cannot register the model at " + uri + ": " + e.getMessage());
        }
        int version = list(org, app).stream().mapToInt(ModelVersion::version).max().orElse(0) + 1;
        ModelVersion registered = new ModelVersion(org, app, version, registration.run(), registration.repository(),
                registration.commit(), registration.params(), registration.metrics(), registration.environment(),
                model.flavors(), uri.toString(), Instant.now());
        JsonFiles.write(file(org, app, version), registered);
        return registered;
    }

    @Override
    public synchronized Optional<ModelVersion> get(String org, String app, int version) {
        return JsonFiles.read(file(org, app, version), ModelVersion.class);
    }

    public synchronized List<ModelVersion> list(String org, String app) {
        Path appDir = root.resolve(org).resolve(app);
        if (!Files.isDirectory(appDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(appDir)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d+\\.json"))
                    .map(f -> JsonFiles.read(f, ModelVersion.class)).flatMap(Optional::stream)
                    .sorted(Comparator.comparingInt(ModelVersion::version)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every version of every app of every org. */
    public synchronized List<ModelVersion> all() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> apps = Files.walk(root, 2)) {
            return apps.filter(p -> p.getNameCount() == root.getNameCount() + 2 && Files.isDirectory(p))
                    .flatMap(p -> list(p.getParent().getFileName().toString(), p.getFileName().toString()).stream())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes one version's record (retention); its artifact is the artifact store's. */
    public synchronized void deleteVersion(String org, String app, int version) {
        try {
            Files.deleteIfExists(file(org, app, version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void delete(String org, String app) {
        Workspaces.delete(root.resolve(org).resolve(app));
    }

    private Path file(String org, String app, int version) {
        return root.resolve(org).resolve(app).resolve(version + ".json");
    }
}
