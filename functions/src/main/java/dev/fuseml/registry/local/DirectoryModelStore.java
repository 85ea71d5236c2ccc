package dev.fuseml.registry.local;

import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.registry.MLModel;
import dev.fuseml.registry.ModelStore;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.run.StepFailure;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Model versions as directories {@code models/ORG/APP/N/}: the MLflow model under {@code model/} and the lineage in
 * {@code version.json}. A version is prepared under another name and renamed into place, so it appears whole.
 */
@ApplicationScoped
public class DirectoryModelStore implements ModelStore {
    private final Path root;

    public DirectoryModelStore(FusemlConfig config) {
        this.root = config.dataDir().resolve("models");
    }

    @Override
    public synchronized ModelVersion register(String org, String app, String run, Trained trained)
            throws IOException {
        Optional<ModelVersion> existing = list(org, app).stream().filter(v -> v.run().equals(run)).findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        Path source = Path.of(trained.modelDir());
        MLModel model;
        try {
            model = MLModel.read(source);
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("cannot register the model: " + e.getMessage());
        }
        int version = list(org, app).stream().mapToInt(ModelVersion::version).max().orElse(0) + 1;
        Path appDir = root.resolve(org).resolve(app);
        Path partial = appDir.resolve(version + ".partial");
        Workspaces.delete(partial);
        copyTree(source, partial.resolve("model"));
        Path target = appDir.resolve(Integer.toString(version));
        ModelVersion registered = new ModelVersion(org, app, version, run, trained.commit(), trained.params(),
                trained.metrics(), trained.environment(), model.flavors(),
                target.resolve("model").toAbsolutePath().toString(), Instant.now());
        JsonFiles.write(partial.resolve("version.json"), registered);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return registered;
    }

    @Override
    public synchronized Optional<ModelVersion> get(String org, String app, int version) {
        return JsonFiles.read(root.resolve(org).resolve(app).resolve(Integer.toString(version))
                .resolve("version.json"), ModelVersion.class);
    }

    @Override
    public synchronized List<ModelVersion> list(String org, String app) {
        Path appDir = root.resolve(org).resolve(app);
        if (!Files.isDirectory(appDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(appDir)) {
            return dirs.filter(d -> d.getFileName().toString().matches("\\d+"))
                    .map(d -> JsonFiles.read(d.resolve("version.json"), ModelVersion.class))
                    .flatMap(Optional::stream).sorted(Comparator.comparingInt(ModelVersion::version)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void delete(String org, String app) {
        Workspaces.delete(root.resolve(org).resolve(app));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
