package dev.fuseml.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Builds FuseML's one image without a Docker daemon and without a base image (none can be pulled here): a Java
 * runtime made with jlink, the shared libraries that runtime and ONNX Runtime load (found with ldd on this machine),
 * and the orchestrator's two Quarkus aot-jar builds in layers that change at different rates (libraries, then the
 * code, then the caches): the control plane's in {@code /app} (the functions module) and the step functions' in
 * {@code /steps} (functions/steps: the same code without the control plane's REST API, OpenAPI and git server), their
 * libraries merged by {@link LibraryJar} into one jar that both use and one of the control plane's own. It runs as
 * user 1000; {@code FUSEML_FUNCTION} chooses the role, as in config/.
 */
public final class ImageBuilder {
    public static final String IMAGE = "ghcr.io/fuseml/fuseml-jvm:0.1.0";
    public static final String USER = "1000:1000";
    /** The roles FUSEML_FUNCTION chooses in config/: each gets its own AOT cache, trained on its own work. */
    public static final List<String> ROLES = List.of(AotTraining.CONTROL_PLANE, "receive", "build", "train",
            "register", "serve");
    /** Where the AOT caches are, relative to their build's directory (the working directory they were trained in). */
    public static final String AOT_DIR = "aot";
    /** The control plane's build (the functions module) in the image, the image's working directory. */
    static final String CONTROL_PLANE_HOME = "/app";
    /**
     * The step functions' build (functions/steps), which the five steps run: a step answers CloudEvents, its health
     * and its metrics, so it starts without deploying the control plane's REST routes and with about 1,100 fewer
     * classes to load at start and to hold in its cache (0.50 against 0.58 s to ready, 99 against 105 MB, medians of
     * 7 alternated starts here with caches trained on start alone).
     */
    static final String STEPS_HOME = "/steps";
    /** The image's own entrypoint: the control plane's command (config/ names each function's). */
    public static final List<String> ENTRYPOINT = command(AotTraining.CONTROL_PLANE);
    /** The feature release the image's runtime must have: JDK AOT caches (JEP 483, 514, 515). */
    static final int JDK_FEATURE = 25;
    /** The runtime's modules: what Quarkus, Vert.x, JGit, Jackson and ONNX Runtime use (checked by running it). */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.desktop", "java.instrument",
            "java.logging", "java.management", "java.naming", "java.net.http", "java.prefs", "java.rmi",
            "java.scripting", "java.security.jgss", "java.security.sasl", "java.sql", "java.transaction.xa",
            "java.xml", "java.xml.crypto", "jdk.crypto.cryptoki", "jdk.crypto.ec", "jdk.httpserver",
            "jdk.management", "jdk.naming.dns", "jdk.net", "jdk.unsupported", "jdk.zipfs");
    /** Loaded by glibc itself (name service, DNS), so ldd does not list them. */
    private static final List<String> DLOPENED = List.of("libnss_files.so.2", "libnss_dns.so.2", "libresolv.so.2");
    private static final Instant EPOCH_PLUS_ONE = Instant.ofEpochSecond(1); // reproducible layers

    private ImageBuilder() {
    }

    /**
     * The command that runs {@code role} in the image (config/ sets it per container): the jlinked JDK 25 with the
     * role's AOT cache and {@link #jvmOptions}. A cache trained on the staged copy of /app fits /app: the JDK checks
     * the jars' sizes and times and the class path's shape, not where the tree was when it trained.
     */
    public static List<String> command(String role) {
        List<String> command = new ArrayList<>(List.of("/opt/java/bin/java"));
        command.addAll(jvmOptions(role));
        String home = home(role);
        command.addAll(List.of("-XX:AOTCache=" + home + "/" + AOT_DIR + "/" + role + ".aot", "-jar",
                home + "/quarkus-run.jar"));
        return List.copyOf(command);
    }

    /**
     * Where {@code role}'s build lives in the image, and so the working directory its pod must start in (its cache
     * names the class path relative to it): {@code /steps} for the five steps, {@code /app} for the rest.
     */
    public static String home(String role) {
        return AotTraining.STEPS.contains(role) ? STEPS_HOME : CONTROL_PLANE_HOME;
    }

    /**
     * The role's JVM options, the same in training and in the pod. Fixed heap sizes rather than a share of the
     * container's memory: the cache was trained with these, and a different heap layout leaves its archived objects
     * unused. Step functions live briefly and are scaled to zero: a small first heap and the C1 compiler only, and
     * so no method profiles in their caches (JEP 515's profiles are for C2; recorded and replayed they cost a step's
     * start 0.07 s here, 0.71 against 0.64 s, medians of 11, and 3 MB). The control plane keeps them: it runs long
     * and with C2. The two options are diagnostic ones of the JDK, hence their unlock. Every role gives the C library
     * back what it no longer holds every 5 s: the compiler's arenas, pooled and freed once the start's compilations
     * are done, otherwise stay in the process (an idle step held 110 MB after 12 s without it, 104 MB with it).
     */
    static List<String> jvmOptions(String role) {
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=5000"));
        if (role.equals(AotTraining.CONTROL_PLANE)) {
            options.add("-Xmx640m");
        } else {
            options.addAll(List.of("-Xms16m", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:-AOTRecordTraining", "-XX:-AOTReplayTraining"));
        }
        options.add("-Djava.io.tmpdir=/tmp");
        return options;
    }

    /** {@code java dev.fuseml.image.ImageBuilder CONTROL_PLANE_QUARKUS_APP STEPS_QUARKUS_APP TARBALL}. */
    public static void main(String[] args) throws Exception {
        build(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        System.out.println("wrote " + args[2] + " (" + IMAGE + "): podman load -i " + args[2]);
    }

    /**
     * @param controlPlane functions/target/quarkus-app
     * @param steps        functions/steps/target/quarkus-app
     */
    public static void build(Path controlPlane, Path steps, Path tarball) throws Exception {
        for (Path quarkusApp : List.of(controlPlane, steps)) {
            if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
                throw new IllegalStateException(quarkusApp + " has no quarkus-run.jar: build the orchestrator first "
                        + "(mvn -B install -DskipTests)");
            }
        }
        Path work = Files.createDirectories(tarball.toAbsolutePath().getParent().resolve("image-work"));
        delete(work);
        Files.createDirectories(work);
        // The image's file system as a node will see it: /opt/java and /app, every file dated as the layers date it
        // (the AOT caches check the jars' times), so that the caches trained here fit the image.
        Path root = work.resolve("root");
        Path jre = root.resolve("opt/java");
        Path jdk = JavaRuntimes.find(JDK_FEATURE);
        long began = System.nanoTime();
        run(List.of(jdk.resolve("bin/jlink").toString(), "--add-modules", String.join(",", MODULES),
                "--strip-debug", "--no-man-pages", "--no-header-files", "--compress=zip-6", "--output",
                jre.toString()));
        Path app = stage(controlPlane, root.resolve(CONTROL_PLANE_HOME.substring(1)));
        Path stepsApp = stage(steps, root.resolve(STEPS_HOME.substring(1)));
        LibraryJar.merge(app, List.of(stepsApp));
        datedAsTheLayers(root);
        // the libraries both builds use, then what is each build's own (its entry point's jar; the control plane's
        // REST, OpenAPI and git server)
        Path shared = app.resolve(LibraryJar.NAME);
        List<Path> buildLibraries = filesUnder(app.resolve("lib"), stepsApp.resolve("lib")).stream()
                .filter(f -> !f.equals(shared)).toList();
        // what changes with every build: each build's own classes and Quarkus' generated code
        List<Path> code = new ArrayList<>();
        for (Path build : List.of(app, stepsApp)) {
            code.add(build.resolve("quarkus-run.jar"));
            code.addAll(filesUnder(build.resolve("app"), build.resolve("quarkus")));
        }
        Path training = Files.createDirectories(work.resolve("training"));
        long cacheBytes = new AotTraining(root, jre.resolve("bin/java"), training).trainAll();
        System.out.printf("AOT caches for %d roles trained and proved in %.0f s (jlink included): %d MB%n",
                ROLES.size(), (System.nanoTime() - began) / 1e9, cacheBytes / (1024 * 1024));

        JibContainerBuilder image = Jib.fromScratch().setFormat(ImageFormat.OCI)
                .addFileEntriesLayer(system(work, jre, controlPlane))
                .addFileEntriesLayer(layer("java-runtime", root, filesUnder(jre)))
                .addFileEntriesLayer(layer("libraries", root, List.of(shared)))
                .addFileEntriesLayer(layer("build-libraries", root, buildLibraries))
                .addFileEntriesLayer(layer("application", root, code))
                .addFileEntriesLayer(layer("aot-caches", root, filesUnder(app.resolve(AOT_DIR),
                        stepsApp.resolve(AOT_DIR))))
                .setEntrypoint(ENTRYPOINT)
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get("/app"))
                .setEnvironment(Map.of("PORT", "8080", "FUSEML_DATA_DIR", "/var/lib/fuseml", "HOME", "/home/fuseml",
                        "LANG", "C.UTF-8"))
                .setExposedPorts(Set.of(Port.tcp(8080)))
                .addLabel("org.opencontainers.image.source", "https://github.com/fuseml/fuseml-jvm")
                .setCreationTime(EPOCH_PLUS_ONE);
        // Jib's layer cache knows a file by its path, time and mode, not its content: every staged file has the same
        // path and time at every build, so a shared cache handed back the last build's layers (found when a changed
        // jar kept its old content in the image). This build's own cache, removed with the rest of its work.
        image.containerize(Containerizer.to(TarImage.at(tarball.toAbsolutePath()).named(IMAGE))
                .setApplicationLayersCache(work.resolve("jib-layers")));
        delete(work);
    }

    /** glibc and the libraries the runtime loads, /etc/passwd with the user, and writable /tmp and data dirs. */
    private static FileEntriesLayer system(Path work, Path jre, Path quarkusApp) throws Exception {
        List<Path> binaries = new ArrayList<>();
        binaries.add(jre.resolve("bin/java"));
        try (Stream<Path> files = Files.walk(jre.resolve("lib"))) {
            files.filter(f -> f.toString().endsWith(".so")).forEach(binaries::add);
        }
        binaries.addAll(onnxRuntimeLibraries(work, quarkusApp));
        Set<String> libraries = new TreeSet<>();
        String own = work.toAbsolutePath().toString();
        for (Path binary : binaries) {
            // the runtime's own libraries (found through its rpath) are in the runtime's layer
            ldd(binary).stream().filter(l -> !l.startsWith(own)).forEach(libraries::add);
        }
        for (String name : DLOPENED) {
            Path lib = Path.of("/lib/x86_64-linux-gnu", name);
            if (Files.exists(lib)) {
                libraries.add(lib.toString());
            }
        }
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("system");
        for (String library : libraries) {
            // at the path binaries ask for (a symlink's name), with the content it points to
            layer.addEntry(Path.of(library).toRealPath(), AbsoluteUnixPath.get(library),
                    FilePermissions.fromOctalString("755"), EPOCH_PLUS_ONE);
            if (library.startsWith("/lib/") || library.startsWith("/lib64/")) {
                // Debian's /lib is /usr/lib: some binaries name one, some the other
                layer.addEntry(Path.of(library).toRealPath(), AbsoluteUnixPath.get("/usr" + library),
                        FilePermissions.fromOctalString("755"), EPOCH_PLUS_ONE);
            }
        }
        Path etc = Files.createDirectories(work.resolve("etc"));
        write(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\nfuseml:x:1000:1000:fuseml:/home/fuseml:"
                + "/sbin/nologin\n");
        write(etc.resolve("group"), "root:x:0:\nfuseml:x:1000:\n");
        write(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
        write(etc.resolve("hosts"), "127.0.0.1 localhost\n");
        for (String file : List.of("passwd", "group", "nsswitch.conf", "hosts")) {
            layer.addEntry(etc.resolve(file), AbsoluteUnixPath.get("/etc/" + file),
                    FilePermissions.fromOctalString("644"), EPOCH_PLUS_ONE);
        }
        Path empty = Files.createDirectories(work.resolve("empty"));
        // writable by the user: scratch (/tmp, where ONNX Runtime unpacks its native library), data, home
        for (String dir : List.of("/tmp", "/var/lib/fuseml", "/home/fuseml")) {
            layer.addEntry(empty, AbsoluteUnixPath.get(dir), FilePermissions.fromOctalString("777"), EPOCH_PLUS_ONE);
        }
        return layer.build();
    }

    /** ONNX Runtime's native libraries, which it unpacks from its jar at run time: ldd them here. */
    private static List<Path> onnxRuntimeLibraries(Path work, Path quarkusApp) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> jars = Files.list(quarkusApp.resolve("lib/main"))) {
            for (Path jar : jars.filter(j -> j.getFileName().toString().contains("onnxruntime")).toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    for (var entries = zip.entries(); entries.hasMoreElements(); ) {
                        var entry = entries.nextElement();
                        if (entry.getName().startsWith("ai/onnxruntime/native/linux-x64/")
                                && entry.getName().endsWith(".so")) {
                            Path target = work.resolve("onnx").resolve(Path.of(entry.getName()).getFileName());
                            Files.createDirectories(target.getParent());
                            try (InputStream in = zip.getInputStream(entry)) {
                                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                            }
                            out.add(target);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static final Pattern LDD = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

    /** The absolute paths of the shared libraries {@code binary} needs (the dynamic loader included). */
    static Set<String> ldd(Path binary) throws Exception {
        Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
        String output = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ldd.waitFor(30, TimeUnit.SECONDS);
        Set<String> libraries = new TreeSet<>();
        for (String line : output.lines().toList()) {
            if (line.contains("not found")) {
                // a library of the runtime itself (found through its own rpath at run time) or a real gap
                if (!line.contains("libjvm") && !line.contains("libjava") && !line.contains("libjli")
                        && !line.contains("libonnxruntime")) {
                    throw new IllegalStateException(binary + " needs a library this machine lacks: " + line.trim());
                }
                continue;
            }
            Matcher m = LDD.matcher(line);
            if (m.find()) {
                libraries.add(m.group(1));
            }
        }
        return libraries;
    }

    /**
     * A layer of staged files, each at its path in the image ({@code root} being the image's /); the runtime's
     * programs executable.
     */
    private static FileEntriesLayer layer(String name, Path root, List<Path> files) {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        for (Path file : files) {
            String path = "/" + root.relativize(file).toString().replace('\\', '/');
            boolean executable = Files.isExecutable(file) && (path.contains("/bin/")
                    || file.getFileName().toString().equals("jspawnhelper"));
            layer.addEntry(file, AbsoluteUnixPath.get(path),
                    FilePermissions.fromOctalString(executable ? "755" : "644"), EPOCH_PLUS_ONE);
        }
        return layer.build();
    }

    /** The regular files under {@code dirs}, sorted within each. */
    private static List<Path> filesUnder(Path... dirs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /** A copy of Quarkus' aot-jar layout at {@code target}: what the image's /app holds, before {@link LibraryJar}. */
    private static Path stage(Path quarkusApp, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(quarkusApp)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path copy = target.resolve(quarkusApp.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    private static void datedAsTheLayers(Path root) throws IOException {
        java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.from(EPOCH_PLUS_ONE);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, time);
            }
        }
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
