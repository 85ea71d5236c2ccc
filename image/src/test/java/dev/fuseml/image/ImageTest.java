package dev.fuseml.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image as a registry and a container runtime would see it: an OCI layout in a tarball whose config names the
 * entrypoint, a non-root user and the port, with the layers in the order they change. Then its file system, unpacked
 * as a runtime would, runs the orchestrator in a chroot (root only: CI runs as root; elsewhere that part is skipped).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path tarball;
    private Path layout;
    private JsonNode manifest;
    private JsonNode config;

    @BeforeAll
    void build() throws Exception {
        tarball = Path.of("target", "fuseml-jvm.tar");
        ImageBuilder.build(Path.of("..", "functions", "target", "quarkus-app"),
                Path.of("..", "functions", "steps", "target", "quarkus-app"), tarball);
        layout = Files.createTempDirectory("oci-layout");
        untar(tarball, layout, false);
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        manifest = blob(index.path("manifests").get(0).path("digest").asText());
        config = blob(manifest.path("config").path("digest").asText());
    }

    @AfterAll
    void clean() throws IOException {
        delete(layout);
    }

    private JsonNode blob(String digest) throws IOException {
        return JSON.readTree(layout.resolve("blobs").resolve(digest.replace(':', '/')).toFile());
    }

    @Test
    void theConfigNamesTheEntrypointANonRootUserAndThePort() {
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
        JsonNode c = config.path("config");
        List<String> entrypoint = new ArrayList<>();
        c.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        assertThat(entrypoint).isEqualTo(ImageBuilder.ENTRYPOINT);
        assertThat(c.path("User").asText()).isEqualTo("1000:1000").doesNotStartWith("0");
        assertThat(c.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(c.path("WorkingDir").asText()).isEqualTo("/app");
    }

    @Test
    void theLayersGoFromTheSystemToTheAppInTheOrderTheyChange() throws Exception {
        JsonNode layers = manifest.path("layers");
        assertThat(layers).hasSize(6);
        List<String> first = listing(layers.get(0));
        assertThat(first).anyMatch(f -> f.contains("libc.so.6")).contains("etc/passwd");
        assertThat(listing(layers.get(1))).contains("opt/java/bin/java", "opt/java/lib/server/libjvm.so");
        // the libraries both builds use, one jar (LibraryJar): a step function's JVM sets up one code source, not 175
        assertThat(listing(layers.get(2))).filteredOn(f -> f.endsWith(".jar"))
                .containsExactly("app/" + LibraryJar.NAME);
        // each build's own: its copy of Quarkus' entry point, and the control plane's REST, OpenAPI and git server
        assertThat(listing(layers.get(3))).filteredOn(f -> f.endsWith(".jar")).hasSize(3)
                .contains("app/" + LibraryJar.OWN)
                .anyMatch(f -> f.startsWith("app/lib/boot/io.quarkus.quarkus-bootstrap-runner-"))
                .anyMatch(f -> f.startsWith("steps/lib/boot/io.quarkus.quarkus-bootstrap-runner-"));
        assertThat(layers.get(3).path("size").asLong()).isLessThan(layers.get(2).path("size").asLong() / 10);
        assertThat(listing(layers.get(4))).contains("app/quarkus-run.jar", "steps/quarkus-run.jar")
                .noneMatch(f -> f.startsWith("app/lib/") || f.startsWith("steps/lib/"));
        // the app layer is small: a rebuild of the code moves only it and the caches trained on it
        assertThat(layers.get(4).path("size").asLong()).isLessThan(layers.get(2).path("size").asLong() / 4);
        assertThat(listing(layers.get(5))).filteredOn(f -> !f.endsWith("/")).containsExactlyInAnyOrderElementsOf(
                ImageBuilder.ROLES.stream().map(role -> ImageBuilder.home(role).substring(1) + "/aot/" + role + ".aot")
                        .toList());
    }

    @Test
    void theLibrariesCarryNoJarSignatureSoTheirClassesAreInTheCachesAndNeverVerifiedAtStart() throws Exception {
        Path libraries = Files.createTempDirectory("libraries");
        try {
            untar(layout.resolve("blobs").resolve(manifest.path("layers").get(2).path("digest").asText()
                    .replace(':', '/')), libraries, true);
            List<Path> jars;
            try (var files = Files.walk(libraries.resolve("app/lib"))) {
                jars = files.filter(f -> f.toString().endsWith(".jar")).toList();
            }
            assertThat(jars).hasSize(1);
            try (var zip = new java.util.zip.ZipFile(jars.get(0).toFile())) {
                assertThat(zip.stream().map(java.util.zip.ZipEntry::getName))
                        .noneMatch(n -> LibraryJar.SIGNATURE.matcher(n).matches());
                // JGit's classes (its jar is signed), ONNX Runtime's native library, and the licences
                assertThat(zip.getEntry("org/eclipse/jgit/lib/Repository.class")).isNotNull();
                assertThat(zip.stream().map(java.util.zip.ZipEntry::getName))
                        .anyMatch(n -> n.startsWith("ai/onnxruntime/native/linux-x64/"))
                        .anyMatch(n -> n.startsWith("META-INF/licenses/org.eclipse.jgit.org.eclipse.jgit-"));
            }
            // the functions' own build keeps JGit's jar as published: signed
            try (var files = Files.list(Path.of("..", "functions", "target", "quarkus-app", "lib", "main"))) {
                Path original = files.filter(f -> f.getFileName().toString().startsWith(
                        "org.eclipse.jgit.org.eclipse.jgit-")).findFirst().orElseThrow();
                try (var zip = new java.util.zip.ZipFile(original.toFile())) {
                    assertThat(zip.stream().map(java.util.zip.ZipEntry::getName))
                            .anyMatch(n -> LibraryJar.SIGNATURE.matcher(n).matches());
                }
            }
        } finally {
            delete(libraries);
        }
    }

    @Test
    void itsFileSystemRunsTheControlPlaneAndAStepFromItsOwnBuildAsTheUnprivilegedUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "chroot needs root (CI runs as root)");
        Path root = Files.createTempDirectory("rootfs");
        // a temporary directory is the owner's only; a runtime's root file system is everyone's to traverse
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Process app = null;
        Process step = null;
        boolean mounted = false;
        try {
            for (JsonNode layer : manifest.path("layers")) {
                untar(layout.resolve("blobs").resolve(layer.path("digest").asText().replace(':', '/')), root, true);
            }
            // what a container runtime provides: /proc (the loader finds the runtime's libraries through it) and /dev
            mounted = mount(root.resolve("proc"), "-t", "proc", "proc") && mount(root.resolve("dev"), "--bind",
                    "/dev");
            assumeTrue(mounted, "mounting /proc and /dev into the root file system needs CAP_SYS_ADMIN");
            Process version = new ProcessBuilder("chroot", "--userspec=1000:1000", root.toString(),
                    "/opt/java/bin/java", "-version").redirectErrorStream(true).start();
            String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = version.waitFor();
            assumeTrue(!out.contains("Operation not permitted"), "chroot is not permitted here: " + out);
            assertThat(code).as(out).isZero();

            int port = freePort();
            app = start(root, ImageBuilder.ENTRYPOINT, "/app", java.util.Map.of("PORT", Integer.toString(port),
                    "FUSEML_DATA_DIR", "/var/lib/fuseml", "HOME", "/home/fuseml", "FUSEML_FUNCTION", "all"), "app");
            assertThat(awaitStatus(app, port, "/api/v1/status")).as(Files.readString(root.resolve("tmp/app.log")))
                    .isEqualTo(200);

            // a step as config/ runs it: the steps' build in /steps with its own cache; ready once the control plane
            // answers it, and without the control plane's API (that build has none)
            int stepPort = freePort();
            step = start(root, ImageBuilder.command("receive"), ImageBuilder.home("receive"), java.util.Map.of("PORT",
                    Integer.toString(stepPort), "FUSEML_DATA_DIR", "/tmp/receive", "HOME", "/home/fuseml",
                    "FUSEML_FUNCTION", "receive", "FUSEML_CONTROL_PLANE", "http://127.0.0.1:" + port, "K_SINK",
                    "http://127.0.0.1:" + port + "/workspace/default"), "receive");
            assertThat(awaitStatus(step, stepPort, "/q/health/ready"))
                    .as(Files.readString(root.resolve("tmp/receive.log"))).isEqualTo(200);
            assertThat(awaitStatus(step, stepPort, "/q/openapi")).isEqualTo(404);
            assertThat(Files.readString(root.resolve("tmp/receive.log"))).contains("fuseml-steps")
                    .doesNotContain("Unrecognized configuration key");
        } finally {
            for (Process process : java.util.Arrays.asList(step, app)) {
                if (process != null) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            for (String dir : List.of("proc", "dev")) {
                new ProcessBuilder("umount", "-l", root.resolve(dir).toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
            if (!isMountPoint(root.resolve("proc")) && !isMountPoint(root.resolve("dev"))) {
                delete(root); // never walk into the machine's own /dev or /proc
            }
        }
    }

    /**
     * As a container runtime starts a container: the image's root, the container's working directory (the caches'
     * class path is relative to it) and the image's user (chroot(1) cannot set a working directory). With
     * {@code -XX:AOTMode=on}: the cache trained on the staged tree must fit the tree as a node unpacks it, or the JVM
     * refuses to start.
     */
    private static Process start(Path root, List<String> image, String workingDir, java.util.Map<String, String> env,
            String log) throws IOException {
        List<String> command = new ArrayList<>(List.of("unshare", "--root=" + root, "--wd=" + workingDir,
                "--setgid=1000", "--setuid=1000"));
        command.addAll(image);
        command.add(command.indexOf("-jar"), "-XX:AOTMode=on");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("tmp/" + log + ".log").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The first status {@code path} answers with within a minute, once listening and past 503 (not ready yet). */
    private static int awaitStatus(Process process, int port, String path) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int status = 0;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 503) {
                    return status;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200); // polling a process we started, not synchronising threads
        }
        return status;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean mount(Path target, String... args) throws Exception {
        Files.createDirectories(target);
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(args));
        command.add(target.toString());
        Process mount = new ProcessBuilder(command).redirectErrorStream(true).start();
        mount.getInputStream().readAllBytes();
        return mount.waitFor() == 0;
    }

    private static boolean isMountPoint(Path dir) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .anyMatch(line -> line.split(" ")[1].equals(dir.toString()));
    }

    private List<String> listing(JsonNode layer) throws Exception {
        Path blob = layout.resolve("blobs").resolve(layer.path("digest").asText().replace(':', '/'));
        // stderr apart: GNU tar warns about the pax keywords jib writes
        Process tar = new ProcessBuilder("tar", "-tzf", blob.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> names = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .map(n -> n.replaceFirst("^\\./", "").replaceFirst("^/", "")).toList();
        tar.waitFor();
        return names;
    }

    private static void untar(Path archive, Path into, boolean gzip) throws Exception {
        Process tar = new ProcessBuilder("tar", gzip ? "-xzf" : "-xf", archive.toString(), "-C", into.toString(),
                "--no-same-owner").redirectErrorStream(true).start();
        String out;
        try (InputStream in = tar.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(tar.waitFor()).as(out).isZero();
    }

    private static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
