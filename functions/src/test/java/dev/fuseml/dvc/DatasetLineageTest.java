package dev.fuseml.dvc;

import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.artifact.local.ArtifactFiles;
import dev.fuseml.codeset.local.GitCodesetStore;
import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.registry.local.DirectoryModelStore;
import dev.fuseml.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry records the dataset versions a model's commit pins, read from the codeset the control plane keeps. */
class DatasetLineageTest {
    @TempDir
    Path dir;

    @Test
    void aRegisteredVersionCarriesTheDatasetsOfItsCommitAndALaterCommitsAreItsOwn() throws Exception {
        TestConfig config = new TestConfig(dir.resolve("data"));
        GitCodesetStore codesets = new GitCodesetStore(config);
        Path code = Files.createDirectories(dir.resolve("code/data"));
        Files.writeString(code.getParent().resolve("train.py"), "print('train')\n");
        Files.writeString(code.resolve("wine.csv.dvc"), "outs:\n- md5: a304afb96060aad90176268345e10355\n"
                + "  size: 2048\n  path: wine.csv\n");
        String first = codesets.commit("red", "wine", code.getParent(), "push");
        Files.writeString(code.resolve("wine.csv.dvc"), "outs:\n- md5: 6f1ed002ab5595859014ebf0951522d9\n"
                + "  size: 4096\n  path: wine.csv\n");
        String second = codesets.commit("red", "wine", code.getParent(), "push");

        ArtifactFiles artifacts = new ArtifactFiles(config);
        DirectoryModelStore registry = new DirectoryModelStore(config, artifacts, codesets);
        ModelVersion v1 = registry.register("red", "wine", registration(artifacts, "wine-1", first));
        ModelVersion v2 = registry.register("red", "wine", registration(artifacts, "wine-2", second));

        assertThat(v1.datasets()).singleElement().satisfies(d -> {
            assertThat(d.path()).isEqualTo("data/wine.csv");
            assertThat(d.md5()).isEqualTo("a304afb96060aad90176268345e10355");
            assertThat(d.source()).isEqualTo("data/wine.csv.dvc");
        });
        assertThat(v2.datasets()).singleElement().satisfies(d -> assertThat(d.md5())
                .isEqualTo("6f1ed002ab5595859014ebf0951522d9"));
        assertThat(registry.get("red", "wine", 1).orElseThrow().datasets()).as("kept in the version's record")
                .isEqualTo(v1.datasets());
    }

    @Test
    void aCommitThatIsNotInTheAppsCodesetHasNoLineage() throws Exception {
        GitCodesetStore codesets = new GitCodesetStore(new TestConfig(dir.resolve("data")));
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("x.dvc"), "outs:\n- md5: a304afb96060aad90176268345e10355\n  path: x\n");
        String commit = codesets.commit("red", "wine", code, "push");
        DatasetLineage lineage = new DatasetLineage(codesets);
        assertThat(lineage.of("red", "wine", commit)).hasSize(1);
        assertThat(lineage.of("blue", "wine", commit)).as("another org's app").isEmpty();
        assertThat(lineage.of("red", "wine", "0".repeat(40))).isEmpty();
        assertThat(lineage.of("red", "wine", "not-a-commit")).isEmpty();
    }

    private static ModelRegistry.Registration registration(ArtifactFiles artifacts, String run, String commit)
            throws Exception {
        ArtifactUri uri = new ArtifactUri("red", "wine", run, "model");
        artifacts.write(uri, "MLmodel", new java.io.ByteArrayInputStream(
                "flavors:\n  sklearn: {pickled_model: model.pkl}\n".getBytes()));
        artifacts.write(uri, "model.pkl", new java.io.ByteArrayInputStream(new byte[]{1}));
        return new ModelRegistry.Registration(run, "http://cp/git/red/wine.git", commit, Map.of(), Map.of(), "env",
                uri.toString());
    }
}
