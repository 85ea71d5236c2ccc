package dev.fuseml.app;

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
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** Apps, one JSON file each under {@code apps/ORG/}. */
@ApplicationScoped
public class AppStore {
    private final Path dir;

    public AppStore(FusemlConfig config) {
        this.dir = config.dataDir().resolve("apps");
    }

    public synchronized App ensure(String org, String name) {
        Names.require("org", org);
        Names.require("app", name);
        return get(org, name).orElseGet(() -> {
            App app = new App(org, name, App.NEW, null, null, 0, null, Instant.now(), null, false);
            JsonFiles.write(file(org, name), app);
            return app;
        });
    }

    public synchronized Optional<App> get(String org, String name) {
        if (!Names.valid(org) || !Names.valid(name)) {
            return Optional.empty();
        }
        return JsonFiles.read(file(org, name), App.class);
    }

    public synchronized Optional<App> update(String org, String name, UnaryOperator<App> change) {
        return get(org, name).map(app -> {
            App updated = change.apply(app);
            JsonFiles.write(file(org, name), updated);
            return updated;
        });
    }

    public synchronized List<App> list(String org) {
        Path orgDir = dir.resolve(org);
        if (!Names.valid(org) || !Files.isDirectory(orgDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(orgDir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted()
                    .map(p -> JsonFiles.read(p, App.class).orElseThrow()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every app of every org: for restarting prediction servers at start-up. */
    public synchronized List<App> all() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> orgs = Files.list(dir)) {
            return orgs.filter(Files::isDirectory).flatMap(o -> list(o.getFileName().toString()).stream()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void delete(String org, String name) {
        try {
            Files.deleteIfExists(file(org, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String org, String name) {
        return dir.resolve(org).resolve(name + ".json");
    }
}
