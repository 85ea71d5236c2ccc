package dev.fuseml.extension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Credentials sealed at rest: readable back by the store that sealed them, by nothing else, and never in a record. */
class ExtensionStoreTest {
    private static final Map<String, String> SECRET = Map.of("username", "ml", "password", "s3cr3t-pa55");
    @TempDir
    Path dir;

    private ExtensionStore store(String systemToken) {
        return new ExtensionStore(dir, Optional.ofNullable(systemToken));
    }

    @Test
    void credentialsComeBackForTheStepAndAreNeitherInTheRecordNorPlainOnDisk() throws Exception {
        ExtensionStore store = store("fuseml_system-token-a");
        Extension added = store.put("workspace", "team-mlflow", "mlflow", "http://mlflow.team:5000", null, SECRET);
        assertThat(added.credentials()).isTrue();
        assertThat(store.credentials("workspace", "team-mlflow")).isEqualTo(SECRET);
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
                        .doesNotContain("s3cr3t-pa55");
            }
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("workspace/team-mlflow.sealed")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void anotherSystemTokenATamperedOrAMovedBlobOpensNothingAndSaysWhatToDo() throws Exception {
        store("fuseml_system-token-a").put("workspace", "a", "mlflow", "http://m:5000", null, SECRET);
        assertThatThrownBy(() -> store("fuseml_system-token-b").credentials("workspace", "a"))
                .hasMessageContaining("register them again");
        ExtensionStore store = store("fuseml_system-token-a");
        store.put("workspace", "b", "mlflow", "http://m:5000", null, Map.of());
        Files.copy(dir.resolve("workspace/a.sealed"), dir.resolve("workspace/b.sealed"));
        assertThatThrownBy(() -> store.credentials("workspace", "b")).hasMessageContaining("cannot be opened");
        byte[] blob = Files.readAllBytes(dir.resolve("workspace/a.sealed"));
        blob[blob.length - 1] ^= 1;
        Files.write(dir.resolve("workspace/a.sealed"), blob);
        assertThatThrownBy(() -> store.credentials("workspace", "a")).hasMessageContaining("cannot be opened");
    }

    @Test
    void badInputIsRefusedWithTheRule() {
        ExtensionStore store = store(null);
        assertThatThrownBy(() -> store.put("workspace", "x", "airflow", "http://a", null, null))
                .hasMessageContaining("mlflow, s3, kserve, seldon, dvc-remote, determined");
        assertThatThrownBy(() -> store.put("workspace", "Bad_Name", "mlflow", "http://a", null, null))
                .hasMessageContaining("DNS-1123");
        for (String url : new String[]{"file:///etc/passwd", "mlflow.team", "http://user:pw@host/", ""}) {
            assertThatThrownBy(() -> store.put("workspace", "x", "mlflow", url, null, null)).as(url)
                    .hasMessageContaining("not an absolute http(s) URL");
        }
        assertThatThrownBy(() -> store.put("workspace", "x", "mlflow", "http://a", null,
                Map.of("k", "v".repeat(ExtensionStore.MAX_CREDENTIAL_BYTES)))).hasMessageContaining("at most");
        assertThat(store.list("workspace")).isEmpty();
    }

    @Test
    void withoutASystemTokenAKeyOfTheDataDirectorySealsThem() {
        store(null).put("workspace", "lake", "s3", "s3://lake", "the data lake", Map.of("secret", "k"));
        assertThat(store(null).credentials("workspace", "lake")).containsEntry("secret", "k");
        assertThat(dir.resolve(".key")).isRegularFile();
    }

    @Test
    void aRunUsesTheNamedToolOrTheOnlyOneOfItsKindAndSeveralMustBeNamed() {
        ExtensionStore store = store("system");
        assertThat(store.choose("red", "mlflow", null)).isEmpty();
        store.put(Extension.GLOBAL, "shared", "mlflow", "http://shared:5000", null, Map.of());
        assertThat(store.choose("red", "mlflow", null)).get().extracting(Extension::name).isEqualTo("shared");
        store.put("red", "own", "mlflow", "http://own:5000", null, Map.of());
        assertThat(store.choose("red", "mlflow", null)).as("the org's own before the global one").get()
                .extracting(Extension::name).isEqualTo("own");
        assertThat(store.choose("red", "mlflow", "shared")).get().extracting(Extension::org)
                .isEqualTo(Extension.GLOBAL);
        store.put("red", "second", "mlflow", "http://second:5000", null, Map.of());
        assertThatThrownBy(() -> store.choose("red", "mlflow", null)).hasMessageContaining("2 mlflow extensions")
                .hasMessageContaining("own, second").hasMessageContaining("name the one to use");
        assertThatThrownBy(() -> store.choose("blue", "mlflow", "own")).as("another org's is not reached by name")
                .hasMessageContaining("org blue has not registered");
    }
}
