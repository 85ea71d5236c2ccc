package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Many users at once: twenty pushes of the wine example started together are all trained, registered and served. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PUSHES = 20;
    private CliProcess cli;

    @BeforeAll
    void install() throws Exception {
        cli = CliProcess.installed("fuseml-load", java.util.Map.of());
        // the environment is built once, before the crowd arrives
        CliProcess.Result first = cli.run("push", "wine", example().toString());
        assertThat(first.exitCode()).as(first.all()).isZero();
    }

    @AfterAll
    void uninstall() throws Exception {
        cli.purge();
    }

    @Test
    void twentyConcurrentPushesAreAllServed() throws Exception {
        List<CompletableFuture<CliProcess.Result>> pushes = new ArrayList<>();
        for (int i = 0; i < PUSHES; i++) {
            String alpha = "0." + (10 + i);
            pushes.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return cli.run("push", "wine", example().toString(), "-P", "alpha=" + alpha);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<CliProcess.Result> push : pushes) {
            CliProcess.Result result = push.join();
            assertThat(result.exitCode()).as(result.all()).isZero();
            assertThat(result.out()).contains("is served in");
        }
        JsonNode runs = JSON.readTree(cli.run("runs", "wine", "-o", "json").out());
        assertThat(runs).hasSize(PUSHES + 1);
        List<Integer> versions = new ArrayList<>();
        for (JsonNode run : runs) {
            assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
            versions.add(run.path("version").asInt());
        }
        // every run registered its own version, none twice
        assertThat(versions).doesNotHaveDuplicates().hasSize(PUSHES + 1);
        assertThat(versions).allSatisfy(v -> assertThat(v).isBetween(1, PUSHES + 1));
    }

    private static Path example() {
        return CliProcess.repo().resolve("examples/sklearn-wine");
    }
}
