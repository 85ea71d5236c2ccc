package dev.fuseml.org;

import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.Names;
import dev.fuseml.state.JsonFiles;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/** Orgs group apps; each org has its own broker. One JSON file per org under {@code orgs/}. */
@ApplicationScoped
public class OrgStore {
    /** An org as the API shows it. */
    public record Org(String name, Instant created) {
    }

    private final Path dir;

    public OrgStore(FusemlConfig config) {
        this.dir = config.dataDir().resolve("orgs");
    }

    /** Creates the org if it does not exist; returns it either way. */
    public synchronized Org create(String name) {
        Names.require("org", name);
        return JsonFiles.read(file(name), Org.class).orElseGet(() -> {
            Org org = new Org(name, Instant.now());
            JsonFiles.write(file(name), org);
            return org;
        });
    }

    public boolean exists(String name) {
        return Names.valid(name) && Files.isRegularFile(file(name));
    }

    public synchronized List<Org> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted()
                    .map(p -> JsonFiles.read(p, Org.class).orElseThrow()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }
}
