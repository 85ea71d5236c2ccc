package dev.fuseml.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LibraryJarTest {
    @TempDir
    Path app;

    @Test
    void theLibrariesBecomeOneJarThatFindsWhatTheClassPathFound() throws IOException {
        launcher("quarkus/generated-bytecode.jar app/fuseml.jar lib/boot/runner.jar lib/main/a.jar lib/main/b.jar");
        jar("quarkus/generated-bytecode.jar", null, Map.of("g/G.class", "generated"));
        jar("app/fuseml.jar", null, Map.of("dev/F.class", "app"));
        jar("lib/boot/runner.jar", null, Map.of("q/Runner.class", "runner",
                "META-INF/services/q.Spi", "q.FromBoot"));
        jar("lib/main/a.jar", "true", Map.of("x/Same.class", "from a", "META-INF/services/q.Spi", "a.One\na.Two\n",
                "META-INF/LICENSE", "licence of a", "META-INF/versions/17/x/V.class", "a 17",
                "META-INF/A.SF", "signature", "META-INF/INDEX.LIST", "index", "META-INF/services/", "", "x/", ""));
        jar("lib/main/b.jar", null, Map.of("x/Same.class", "from b", "META-INF/LICENSE", "licence of b",
                "META-INF/versions/17/x/W.class", "never read: b is not multi-release", "b/B.class", "b"));

        LibraryJar.merge(app);

        assertThat(classPath()).isEqualTo("quarkus/generated-bytecode.jar app/fuseml.jar " + LibraryJar.NAME);
        assertThat(app.resolve("lib/main/a.jar")).doesNotExist();
        assertThat(app.resolve("lib/boot")).doesNotExist();
        try (JarFile merged = new JarFile(app.resolve(LibraryJar.NAME).toFile())) {
            assertThat(text(merged, "x/Same.class")).isEqualTo("from a");
            assertThat(text(merged, "q/Runner.class")).isEqualTo("runner");
            assertThat(text(merged, "b/B.class")).isEqualTo("b");
            assertThat(text(merged, "META-INF/services/q.Spi")).isEqualTo("q.FromBoot\na.One\na.Two\n");
            assertThat(text(merged, "META-INF/licenses/a.jar/META-INF/LICENSE")).isEqualTo("licence of a");
            assertThat(text(merged, "META-INF/licenses/b.jar/META-INF/LICENSE")).isEqualTo("licence of b");
            assertThat(text(merged, "META-INF/versions/17/x/V.class")).isEqualTo("a 17");
            assertThat(merged.getEntry("META-INF/versions/17/x/W.class")).isNull();
            assertThat(merged.getEntry("META-INF/A.SF")).isNull();
            assertThat(merged.getEntry("META-INF/INDEX.LIST")).isNull();
            assertThat(merged.getEntry("x/").isDirectory()).isTrue();
            assertThat(merged.getEntry("META-INF/services/").isDirectory()).isTrue();
            // the manifest comes first, where a JarInputStream reads it
            try (var in = new java.util.jar.JarInputStream(Files.newInputStream(app.resolve(LibraryJar.NAME)))) {
                assertThat(in.getManifest()).isNotNull();
            }
            assertThat(merged.getManifest().getMainAttributes().getValue(Attributes.Name.MULTI_RELEASE))
                    .isEqualTo("true");
        }
        // the app's own jars stay where they were
        assertThat(app.resolve("app/fuseml.jar")).exists();
    }

    @Test
    void aClassPathWhereTheAppFollowsALibraryIsRefusedRatherThanReordered() throws IOException {
        launcher("lib/main/a.jar app/fuseml.jar");
        jar("lib/main/a.jar", null, Map.of("x/X.class", "a"));
        jar("app/fuseml.jar", null, Map.of("x/X.class", "app"));
        assertThatThrownBy(() -> LibraryJar.merge(app)).hasMessageContaining("app/fuseml.jar follows a library");
        assertThat(app.resolve("lib/main/a.jar")).exists();
    }

    @Test
    void aLauncherWithoutAClassPathNamesTheLayoutTheImageNeeds() throws IOException {
        launcher(null);
        assertThatThrownBy(() -> LibraryJar.merge(app)).hasMessageContaining("quarkus.package.jar.type=aot-jar");
    }

    private void launcher(String classPath) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "q.Runner");
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(app.resolve("quarkus-run.jar")))) {
            out.putNextEntry(new ZipEntry(JarFile.MANIFEST_NAME));
            manifest.write(out);
            out.closeEntry();
        }
    }

    private void jar(String path, String multiRelease, Map<String, String> entries) throws IOException {
        Path jar = app.resolve(path);
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (multiRelease != null) {
            manifest.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, multiRelease);
        }
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry(JarFile.MANIFEST_NAME));
            manifest.write(out);
            out.closeEntry();
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(entries).entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                if (!e.getKey().endsWith("/")) {
                    out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                }
                out.closeEntry();
            }
        }
    }

    private String classPath() throws IOException {
        try (JarFile jar = new JarFile(app.resolve("quarkus-run.jar").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS)).isEqualTo("q.Runner");
            return jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        }
    }

    private static String text(JarFile jar, String name) throws IOException {
        ZipEntry entry = jar.getEntry(name);
        assertThat(entry).as(name).isNotNull();
        return new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }
}
