package dev.fuseml.serving.local;

import dev.fuseml.state.JsonFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What this machine serves, kept across restarts (its equivalent of a cluster's Service objects):
 * {@code serving/deployments/ORG/APP.json} names each app's version, model, environment and port, so that a restart
 * serves the same versions on the same ports; {@code serving/protection/ORG/APP.json} the token hash an app's
 * predictions need, kept also before its first version is served.
 */
final class DeploymentRecords {
    /** What this platform serves for an app. */
    record Record(String org, String app, int version, String modelUri, String environment, int port, String run) {
    }

    /** The token an app's predictions need (its SHA-256). */
    record Protection(String tokenSha256) {
    }

    private final Path root;

    /** @param root {@code serving} */
    DeploymentRecords(Path root) {
        this.root = root;
    }

    Optional<Record> recorded(String org, String app) {
        return JsonFiles.read(recordFile(org, app), Record.class);
    }

    void record(Record record) {
        JsonFiles.write(recordFile(record.org(), record.app()), record);
    }

    /** Every recorded deployment, of every org. */
    List<Record> all() {
        Path dir = root.resolve("deployments");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> orgs = Files.list(dir)) {
            return orgs.flatMap(DeploymentRecords::files).map(f -> JsonFiles.read(f, Record.class))
                    .flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token hash the app's predictions need, if it is protected. */
    Optional<String> protection(String org, String app) {
        return JsonFiles.read(protectionFile(org, app), Protection.class).map(Protection::tokenSha256);
    }

    /** Protects the app's predictions with the token of hash {@code tokenSha256}; null lifts the protection. */
    void protect(String org, String app, String tokenSha256) {
        Path file = protectionFile(org, app);
        if (tokenSha256 != null) {
            JsonFiles.write(file, new Protection(tokenSha256));
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void remove(String org, String app) throws IOException {
        Files.deleteIfExists(recordFile(org, app));
        Files.deleteIfExists(protectionFile(org, app));
    }

    private static Stream<Path> files(Path orgDir) {
        try (Stream<Path> files = Files.list(orgDir)) {
            return files.filter(f -> f.toString().endsWith(".json")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private Path recordFile(String org, String app) {
        return root.resolve("deployments").resolve(org).resolve(app + ".json");
    }

    private Path protectionFile(String org, String app) {
        return root.resolve("protection").resolve(org).resolve(app + ".json");
    }
}
