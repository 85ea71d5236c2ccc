package dev.fuseml.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    Path root;
    private Path app;
    private Path steps;

    @org.junit.jupiter.api.BeforeEach
    void builds() throws IOException {
        app = Files.createDirectories(root.resolve("app"));
        steps = Files.createDirectories(root.resolve("steps"));
    }

    @Test
    void theLibrariesBecomeOneJarThatFindsWhatTheClassPathFound() throws IOException {
        launcher(app, "quarkus/generated-bytecode.jar app/fuseml.jar lib/boot/c.jar lib/boot/runner.jar "
                + "lib/main/a.jar lib/main/b.jar");
        jar(app, "quarkus/generated-bytecode.jar", null, Map.of("g/G.class", "generated"));
        jar(app, "app/fuseml.jar", null, Map.of("dev/F.class", "app"));
        jar(app, "lib/boot/c.jar", null, Map.of("c/C.class", "c", "META-INF/services/q.Spi", "c.First\n"));
        jar(app, "lib/boot/runner.jar", null, Map.of("q/Runner.class", "runner",
                "META-INF/services/q.Spi", "q.FromBoot"));
        jar(app, "lib/main/a.jar", "true", Map.of("x/Same.class", "from a", "META-INF/services/q.Spi",
                "a.One\na.Two\n", "META-INF/LICENSE", "licence of a", "META-INF/versions/17/x/V.class", "a 17",
                "META-INF/A.SF", "signature", "META-INF/INDEX.LIST", "index", "META-INF/services/", "", "x/", "",
                "module-info.class", "module a"));
        jar(app, "lib/main/b.jar", null, Map.of("x/Same.class", "from b", "META-INF/LICENSE", "licence of b",
                "META-INF/versions/17/x/W.class", "never read: b is not multi-release", "b/B.class", "b"));

        LibraryJar.merge(app);

        // Quarkus' entry point (the Main-Class's jar) stays apart, where the first library was
        assertThat(classPath(app)).isEqualTo("quarkus/generated-bytecode.jar app/fuseml.jar lib/boot/runner.jar "
                + LibraryJar.NAME);
        assertThat(app.resolve("lib/main/a.jar")).doesNotExist();
        assertThat(app.resolve("lib/boot/c.jar")).doesNotExist();
        assertThat(app.resolve("lib/boot/runner.jar")).exists();
        assertThat(app.resolve(LibraryJar.OWN)).doesNotExist();
        try (JarFile merged = new JarFile(app.resolve(LibraryJar.NAME).toFile())) {
            assertThat(text(merged, "x/Same.class")).isEqualTo("from a");
            assertThat(merged.getEntry("q/Runner.class")).isNull();
            assertThat(text(merged, "b/B.class")).isEqualTo("b");
            assertThat(text(merged, "c/C.class")).isEqualTo("c");
            assertThat(text(merged, "META-INF/services/q.Spi")).isEqualTo("c.First\na.One\na.Two\n");
            assertThat(merged.getEntry("module-info.class")).isNull();
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
    void twoBuildsShareTheLibrariesBothUseAndEachKeepsItsEntryPoint() throws IOException {
        builds("app/fuseml.jar lib/main/a.jar lib/main/own.jar lib/boot/runner.jar lib/main/b.jar",
                "app/steps.jar lib/boot/runner.jar lib/main/b.jar lib/main/a.jar", Map.of(
                        "lib/boot/runner.jar", Map.of("q/Runner.class", "runner"),
                        "lib/main/a.jar", Map.of("a/A.class", "a", "META-INF/services/q.Spi", "a.A\n"),
                        "lib/main/b.jar", Map.of("b/B.class", "b", "META-INF/services/q.Spi", "b.B\n")));
        jar(app, "lib/main/own.jar", null, Map.of("o/Rest.class", "only the control plane's"));

        LibraryJar.merge(app, List.of(steps));

        assertThat(classPath(app)).isEqualTo("app/fuseml.jar lib/boot/runner.jar " + LibraryJar.NAME + " "
                + LibraryJar.OWN);
        // the steps' class path names the shared jar where it is, beside their own entry point
        assertThat(classPath(steps)).isEqualTo("app/steps.jar lib/boot/runner.jar ../app/" + LibraryJar.NAME);
        assertThat(steps.resolve("lib/boot/runner.jar")).exists();
        assertThat(steps.resolve("lib/main")).doesNotExist();
        try (JarFile shared = new JarFile(app.resolve(LibraryJar.NAME).toFile());
             JarFile own = new JarFile(app.resolve(LibraryJar.OWN).toFile())) {
            assertThat(text(shared, "a/A.class")).isEqualTo("a");
            assertThat(text(shared, "b/B.class")).isEqualTo("b");
            assertThat(shared.getEntry("o/Rest.class")).isNull();
            assertThat(text(own, "o/Rest.class")).isEqualTo("only the control plane's");
            assertThat(text(shared, "META-INF/services/q.Spi")).isEqualTo("a.A\nb.B\n");
        }
    }

    @Test
    void aMergeThatWouldChangeWhichJarAClassComesFromForEitherBuildIsRefused() throws IOException {
        // both builds have x/Same.class in a and in b, in opposite orders: one merged jar cannot serve both
        builds("app/fuseml.jar lib/main/a.jar lib/main/b.jar", "app/steps.jar lib/main/b.jar lib/main/a.jar",
                Map.of("lib/main/a.jar", Map.of("x/Same.class", "from a"),
                        "lib/main/b.jar", Map.of("x/Same.class", "from b")));
        assertThatThrownBy(() -> LibraryJar.merge(app, List.of(steps))).hasMessageContaining("x/Same.class")
                .hasMessageContaining("in b.jar, then in a.jar");
        assertThat(steps.resolve("lib/main/b.jar")).exists();
        assertThat(app.resolve(LibraryJar.NAME)).doesNotExist();
    }

    @Test
    void aGuestLibraryThatTheFirstBuildLacksIsRefused() throws IOException {
        launcher(app, "app/fuseml.jar lib/main/a.jar");
        launcher(steps, "app/steps.jar lib/main/a.jar");
        jar(app, "lib/main/a.jar", null, Map.of("a/A.class", "a 1.0"));
        jar(steps, "lib/main/a.jar", null, Map.of("a/A.class", "a 2.0"));
        assertThatThrownBy(() -> LibraryJar.merge(app, List.of(steps)))
                .hasMessageContaining("lib/main/a.jar of " + steps).hasMessageContaining("same dependencies");
        assertThat(steps.resolve("lib/main/a.jar")).exists();
    }

    @Test
    void aClassPathWhereTheAppFollowsALibraryIsRefusedRatherThanReordered() throws IOException {
        launcher(app, "lib/main/a.jar app/fuseml.jar");
        jar(app, "lib/main/a.jar", null, Map.of("x/X.class", "a"));
        jar(app, "app/fuseml.jar", null, Map.of("x/X.class", "app"));
        assertThatThrownBy(() -> LibraryJar.merge(app)).hasMessageContaining("app/fuseml.jar follows a library");
        assertThat(app.resolve("lib/main/a.jar")).exists();
    }

    @Test
    void aLauncherWithoutAClassPathNamesTheLayoutTheImageNeeds() throws IOException {
        launcher(app, null);
        assertThatThrownBy(() -> LibraryJar.merge(app)).hasMessageContaining("quarkus.package.jar.type=aot-jar");
    }

    /** The control plane's and the steps' staged builds: their launchers' class paths, and jars both have. */
    private void builds(String appClassPath, String stepsClassPath, Map<String, Map<String, String>> inBoth)
            throws IOException {
        launcher(app, appClassPath);
        launcher(steps, stepsClassPath);
        for (Path build : List.of(app, steps)) {
            for (Map.Entry<String, Map<String, String>> jar : inBoth.entrySet()) {
                jar(build, jar.getKey(), null, jar.getValue());
            }
        }
    }

    private static void launcher(Path app, String classPath) throws IOException {
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

    private static void jar(Path app, String path, String multiRelease, Map<String, String> entries)
            throws IOException {
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

    private static String classPath(Path app) throws IOException {
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
