package dev.fuseml.registry.local;

import dev.fuseml.FusemlConfig;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.artifact.ArtifactStorage;
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
    private final ArtifactStorage artifacts;
    private final dev.fuseml.dvc.DatasetLineage lineage;
    private static final System.Logger LOG = System.getLogger(DirectoryModelStore.class.getName());

    @jakarta.inject.Inject
    public DirectoryModelStore(FusemlConfig config, ArtifactStorage artifacts,
            dev.fuseml.codeset.CommitReader codesets) {
        this(config, artifacts, new dev.fuseml.dvc.DatasetLineage(codesets));
    }

    /** @param lineage reads the dataset versions a version's commit pins */
    public DirectoryModelStore(FusemlConfig config, ArtifactStorage artifacts, dev.fuseml.dvc.DatasetLineage lineage) {
        this.root = config.dataDir().resolve("models");
        this.artifacts = artifacts;
        this.lineage = lineage;
    }

    @Override
    public ModelVersion register(String org, String app, Registration registration) {
        // read before the registry's lock: a large codeset must not hold up every org's registrations
        return register(org, app, registration, datasets(org, app, registration.commit()));
    }

    /**
     * The dataset versions the commit pins; none, and a warning in the control plane's log, when they cannot be
     * read: lineage is a record of the version, not a condition of it.
     */
    private List<dev.fuseml.dvc.Dataset> datasets(String org, String app, String commit) {
        try {
            return lineage.of(org, app, commit);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the dataset versions of commit " + commit + " of " + org + "/" + app
                    + " could not be read: " + e);
            return List.of();
        }
    }

    private synchronized ModelVersion register(String org, String app, Registration registration,
            List<dev.fuseml.dvc.Dataset> datasets) {
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
            model = read(uri);
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("cannot register the model at " + uri + ": " + e.getMessage());
        }
        int version = list(org, app).stream().mapToInt(ModelVersion::version).max().orElse(0) + 1;
        ModelVersion registered = new ModelVersion(org, app, version, registration.run(), registration.repository(),
                registration.commit(), registration.params(), registration.metrics(), registration.environment(),
                model.flavors(), uri.toString(), Instant.now(), null, datasets);
        JsonFiles.write(file(org, app, version), registered);
        return registered;
    }

    /** The model at {@code uri}, from wherever the artifact storage keeps it. */
    private MLModel read(ArtifactUri uri) throws MLModel.InvalidModelException {
        try {
            java.util.Set<String> files = new java.util.HashSet<>();
            artifacts.list(uri).forEach(f -> files.add(f.path()));
            Optional<java.io.InputStream> text = files.contains(MLModel.FILE) ? artifacts.read(uri, MLModel.FILE)
                    : Optional.empty();
            byte[] bytes = null;
            if (text.isPresent()) {
                try (java.io.InputStream in = text.get()) {
                    bytes = in.readNBytes(1 << 20);
                }
            }
            return MLModel.parse(bytes, name -> files.contains(java.nio.file.Path.of(name).normalize().toString()
                    .replace('\\', '/')));
        } catch (java.io.IOException e) {
            throw new StepFailure("cannot read the model at " + uri + ": " + e.getMessage());
        }
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

    /**
     * Records that {@code version} replaced {@code previous} when it was first served; later serves of it (a
     * rollback to it, say) keep what it first replaced.
     */
    public synchronized void servedInsteadOf(String org, String app, int version, int previous) {
        get(org, app, version).filter(v -> v.replaced() == null && previous != version)
                .ifPresent(v -> JsonFiles.write(file(org, app, version), v.withReplaced(previous)));
    }

    /** Aliases such as {@code champion}: names a user gives versions ({@code fuseml models alias}). */
    public record Aliases(java.util.Map<String, Integer> aliases) {
    }

    public synchronized java.util.Map<String, Integer> aliases(String org, String app) {
        return JsonFiles.read(aliasFile(org, app), Aliases.class).map(Aliases::aliases)
                .map(a -> (java.util.Map<String, Integer>) new java.util.TreeMap<>(a)).orElseGet(java.util.TreeMap::new);
    }

    /** Points {@code alias} at an existing version (moving it when it pointed elsewhere). */
    public synchronized void alias(String org, String app, String alias, int version) {
        if (get(org, app, version).isEmpty()) {
            throw new java.util.NoSuchElementException("version " + version + " of app '" + app + "' does not exist "
                    + "(fuseml models " + app + " lists them)");
        }
        java.util.Map<String, Integer> aliases = aliases(org, app);
        aliases.put(alias, version);
        JsonFiles.write(aliasFile(org, app), new Aliases(aliases));
    }

    public synchronized boolean removeAlias(String org, String app, String alias) {
        java.util.Map<String, Integer> aliases = aliases(org, app);
        boolean removed = aliases.remove(alias) != null;
        if (removed) {
            JsonFiles.write(aliasFile(org, app), new Aliases(aliases));
        }
        return removed;
    }

    private Path aliasFile(String org, String app) {
        return root.resolve(org).resolve(app).resolve("aliases.json");
    }

    /** Removes one version's record (retention); its artifact is the artifact store's. */
    public synchronized void deleteVersion(String org, String app, int version) {
        try {
            Files.deleteIfExists(file(org, app, version));
            java.util.Map<String, Integer> aliases = aliases(org, app);
            if (aliases.values().removeIf(v -> v == version)) {
                JsonFiles.write(aliasFile(org, app), new Aliases(aliases)); // an alias never names a removed version
            }
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
