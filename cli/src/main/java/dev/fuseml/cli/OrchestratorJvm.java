package dev.fuseml.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java that runs the embedded orchestrator, and its JDK AOT cache. A JDK 25 or newer starts it about twice as
 * fast with an AOT cache (classes loaded and linked ahead, method profiles) trained on the orchestrator itself. The
 * cache is trained once per build and JDK, by a short run at install that starts the orchestrator and asks what a
 * CLI and the web page ask first, and is used by every start after. (Training the real run instead would cost its
 * whole session: a JVM recording its training answers each event several times slower.) Without a JDK 25 the CLI's
 * own Java runs it, as before.
 *
 * <p>Found in this order: {@code FUSEML_JAVA_HOME} (any JDK 17 or newer: the user's choice); the CLI's own Java when
 * it is a JDK 25; {@code JAVA_HOME}; the newest in the machine's JVM folder. {@code FUSEML_AOT_CACHE=off} keeps JDK 25 but trains and uses no cache.
 */
final class OrchestratorJvm {
    static final int AOT_FEATURE = 25;
    private static final Path JVM_FOLDER = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);
    /** What the JVM logs (-Xlog:aot) when the cache was mapped and its classes are used. */
    static final String CACHE_USED = "Using AOT-linked classes: true";

    private final Path java;
    private final int feature;
    private final Path cache;
    private final Path log;

    private OrchestratorJvm(Path java, int feature, Path cache, Path log) {
        this.java = java;
        this.feature = feature;
        this.cache = cache;
        this.log = log;
    }

    /** The Java, and where its AOT cache is, for an orchestrator of {@code jar} with its data in {@code data}. */
    static OrchestratorJvm choose(Path jar, Path data) throws IOException {
        Optional<Path> home = find();
        if (home.isEmpty()) {
            return new OrchestratorJvm(Path.of(ProcessHandle.current().info().command().orElse("java")), 0, null,
                    null);
        }
        Path java = home.get().resolve("bin/java");
        int feature = feature(home.get()).orElse(AOT_FEATURE);
        if (feature < AOT_FEATURE || "off".equalsIgnoreCase(System.getenv("FUSEML_AOT_CACHE"))) {
            return new OrchestratorJvm(java, feature, null, null);
        }
        Path dir = Files.createDirectories(data.resolve("aot"));
        Path cache = dir.resolve("orchestrator-" + key(home.get(), jar) + ".aot");
        Path log = dir.resolve("last-start.log");
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0 || unusedLastTime(log)) {
            // a new build (or Java), or a cache that did not load: caches of earlier ones fit nothing any more
            try (Stream<Path> old = Files.list(dir)) {
                for (Path p : old.filter(p -> p.getFileName().toString().endsWith(".aot")).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(log);
        }
        return new OrchestratorJvm(java, feature, cache, log);
    }

    /** Whether a training run should come first: a JDK 25 with the cache on, and no cache of this build yet. */
    boolean needsTraining() throws IOException {
        return cache != null && (!Files.isRegularFile(cache) || Files.size(cache) == 0);
    }

    /** The options of the training run: the JVM writes the cache when it stops. */
    List<String> trainingOptions() {
        return List.of("-XX:AOTCacheOutput=" + cache);
    }

    /** A training run that failed leaves no cache behind (a partial one would be tried at every start). */
    void discardCache() throws IOException {
        if (cache != null) {
            Files.deleteIfExists(cache);
        }
    }

    /** The options of a real start: the cache when there is one, and the JVM's AOT log to tell it was used. */
    List<String> options() throws IOException {
        if (cache == null || needsTraining()) {
            return List.of();
        }
        return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=info:file=" + log);
    }

    /** For the user: which Java, and what it does with the cache. */
    String description() throws IOException {
        if (feature == 0) {
            return "on the CLI's Java (a JDK " + AOT_FEATURE + " starts it about twice as fast: install one, or set "
                    + "FUSEML_JAVA_HOME to it)";
        }
        if (cache == null) {
            return "on Java " + feature + (feature < AOT_FEATURE ? "" : " (AOT cache off)");
        }
        return needsTraining() ? "on Java " + feature + " (its AOT cache could not be trained: see its log)"
                : "on Java " + feature + " with its AOT cache";
    }

    /** Whether the last start with the cache could not use it (a cache cut short when its run was killed). */
    private static boolean unusedLastTime(Path log) throws IOException {
        return Files.isRegularFile(log) && !Files.readString(log, StandardCharsets.UTF_8).contains(CACHE_USED);
    }

    Path java() {
        return java;
    }

    /** The JDK to run the orchestrator on: the one {@code FUSEML_JAVA_HOME} names, else a JDK 25 found. */
    static Optional<Path> find() {
        List<Path> candidates = new ArrayList<>();
        String named = System.getenv("FUSEML_JAVA_HOME");
        if (named != null && !named.isBlank()) {
            Path home = Path.of(named);
            if (feature(home).orElse(0) < 17 || !Files.isExecutable(home.resolve("bin/java"))) {
                throw new CliException("FUSEML_JAVA_HOME=" + named + " is no JDK 17 or newer (its release file names "
                        + "the version, bin/java runs it): point it at one (" + AOT_FEATURE + " or newer for the "
                        + "AOT cache), or unset it");
            }
            return Optional.of(home);
        }
        ProcessHandle.current().info().command().map(Path::of).map(j -> j.getParent().getParent())
                .ifPresent(candidates::add);
        Optional.ofNullable(System.getenv("JAVA_HOME")).filter(h -> !h.isBlank()).map(Path::of)
                .ifPresent(candidates::add);
        for (Path c : candidates) {
            if (feature(c).orElse(0) >= AOT_FEATURE && Files.isExecutable(c.resolve("bin/java"))) {
                return Optional.of(c);
            }
        }
        if (!Files.isDirectory(JVM_FOLDER)) {
            return Optional.empty();
        }
        try (Stream<Path> jdks = Files.list(JVM_FOLDER)) {
            return jdks.filter(j -> !Files.isSymbolicLink(j) && Files.isExecutable(j.resolve("bin/java")))
                    .filter(j -> feature(j).orElse(0) >= AOT_FEATURE)
                    .max(Comparator.comparing((Path j) -> feature(j).orElse(0)).thenComparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The feature release a JDK's {@code release} file names. */
    static Optional<Integer> feature(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A cache fits one JDK and one build of the orchestrator: its name says which. */
    private static String key(Path home, Path jar) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            String release = Files.isRegularFile(home.resolve("release")) ? Files.readString(home.resolve("release"))
                    : "";
            digest.update((home.toRealPath() + "\n" + release + "\n" + jar.toAbsolutePath() + "\n" + Files.size(jar)
                    + "\n" + Files.getLastModifiedTime(jar).toMillis()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
