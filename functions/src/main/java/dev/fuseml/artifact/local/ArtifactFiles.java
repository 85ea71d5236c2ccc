package dev.fuseml.artifact.local;

import dev.fuseml.FusemlConfig;
import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.eventing.Names;
import dev.fuseml.workspace.Workspaces;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The control plane's artifact store on its data directory ({@code artifacts/ORG/APP/RUN/NAME/...}), served over
 * HTTP by the API's ArtifactsResource. On a cluster the same API fronts a volume or a bucket.
 */
public class ArtifactFiles implements ArtifactStorage {
    private final Path root;

    public ArtifactFiles(FusemlConfig config) {
        this.root = config.dataDir().resolve("artifacts").toAbsolutePath().normalize();
    }

    @Override
    public Optional<InputStream> read(ArtifactUri artifact, String relative) throws IOException {
        Path file = file(artifact, relative);
        return Files.isRegularFile(file) ? Optional.of(Files.newInputStream(file)) : Optional.empty();
    }

    /** The directory of an artifact. */
    public Path dir(ArtifactUri artifact) {
        return root.resolve(artifact.path());
    }

    /** A file inside an artifact; refuses paths that could leave it (the rule of every artifact storage). */
    public Path file(ArtifactUri artifact, String relative) {
        return dir(artifact).resolve(ArtifactStorage.inside(artifact, relative));
    }

    /** Writes a file of an artifact (to a temporary file first, so a reader never sees half of it). */
    @Override
    public void write(ArtifactUri artifact, String relative, InputStream content) throws IOException {
        Path file = file(artifact, relative);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try {
            Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (Files.size(tmp) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("an artifact file may hold at most " + (MAX_FILE_BYTES >> 20)
                        + " MiB");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public List<FileInfo> list(ArtifactUri artifact) throws IOException {
        Path dir = dir(artifact);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".part"))
                    .sorted().map(p -> new FileInfo(dir.relativize(p).toString().replace('\\', '/'), size(p)))
                    .toList();
        }
    }

    @Override
    public void delete(ArtifactUri artifact) {
        Workspaces.delete(dir(artifact));
    }

    @Override
    public void delete(ArtifactUri artifact, String relative) {
        Workspaces.delete(dir(artifact).resolve(ArtifactStorage.inside(artifact, relative)));
    }

    @Override
    public void deleteApp(String org, String app) {
        Names.require("org", org);
        Names.require("app", app);
        Workspaces.delete(root.resolve(org).resolve(app));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
