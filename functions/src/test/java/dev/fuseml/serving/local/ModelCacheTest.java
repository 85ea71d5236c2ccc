package dev.fuseml.serving.local;

import dev.fuseml.mock.FakeArtifactStore;
import dev.fuseml.step.StepFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCacheTest {
    private static final String URI = "fuseml-artifacts:/acme/wine/wine-1/model";

    @TempDir
    Path dir;

    private final FakeArtifactStore artifacts = new FakeArtifactStore();

    @Test
    void aVersionIsDownloadedOnceAndServedFromTheCacheAfter() throws Exception {
        artifacts.artifacts.put(URI, new TreeMap<>(Map.of("MLmodel", "a".getBytes(StandardCharsets.UTF_8))));
        ModelCache cache = new ModelCache(dir, artifacts);
        Path first = cache.fetch("acme", "wine", 1, URI);
        assertThat(first).isEqualTo(dir.resolve("acme/wine/1"));
        assertThat(Files.readString(first.resolve("MLmodel"))).isEqualTo("a");

        artifacts.artifacts.clear(); // the artifact store is not asked again
        assertThat(cache.fetch("acme", "wine", 1, URI)).isEqualTo(first);
    }

    @Test
    void aModelThatCannotBeFetchedFailsTheStepAndLeavesNothingHalfDone() {
        ModelCache cache = new ModelCache(dir, artifacts);
        assertThatThrownBy(() -> cache.fetch("acme", "wine", 2, URI)).isInstanceOf(StepFailure.class)
                .hasMessageContaining("the model of version 2 could not be fetched from " + URI);
        assertThat(dir.resolve("acme/wine/2")).doesNotExist();
        assertThat(dir.resolve("acme/wine/2.partial")).doesNotExist();
    }

    @Test
    void removingAnAppRemovesItsModelsAndNoOtherApps() throws Exception {
        artifacts.artifacts.put(URI, new TreeMap<>(Map.of("MLmodel", new byte[]{1})));
        ModelCache cache = new ModelCache(dir, artifacts);
        cache.fetch("acme", "wine", 1, URI);
        cache.fetch("acme", "beer", 1, URI);
        cache.remove("acme", "wine");
        assertThat(dir.resolve("acme/wine")).doesNotExist();
        assertThat(dir.resolve("acme/beer/1/MLmodel")).exists();
        assertThat(cache.orgDir("other")).isDirectory();
    }
}
