package dev.fuseml.health;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Readiness: the data directory takes a write (a file made and removed). A full or read-only volume fails every
 * push, run record and event; better that the platform stops sending work than that each request fails.
 */
public final class DataDirCheck implements HealthCheck {
    public static final String NAME = "data-dir-writable";
    private final Path dataDir;

    public DataDirCheck(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public HealthCheckResponse call() {
        String where = dataDir.toAbsolutePath().toString();
        try {
            Files.createDirectories(dataDir);
            Path probe = Files.createTempFile(dataDir, ".health-", ".probe");
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
            return HealthCheckResponse.named(NAME).up().withData("dir", where).build();
        } catch (IOException | SecurityException e) {
            return HealthCheckResponse.named(NAME).down().withData("dir", where)
                    .withData("problem", "cannot write in the data directory (" + e + "): free space on its volume "
                            + "or make it writable for the orchestrator's user (FUSEML_DATA_DIR)").build();
        }
    }
}
