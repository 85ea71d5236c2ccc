package dev.fuseml.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the JDK the image's runtime is made from: {@code FUSEML_IMAGE_JDK} (or {@code -Dfuseml.image.jdk}) when
 * set, else the JDK running the build when it is new enough, else the newest suitable one in the machine's JVM folder
 * ({@code /usr/lib/jvm}, where Debian's and Temurin's packages put theirs). The build itself may run on Java 17.
 */
final class JavaRuntimes {
    private static final Path JVM_FOLDER = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    private JavaRuntimes() {
    }

    static Path find(int feature) throws IOException {
        String named = Optional.ofNullable(System.getProperty("fuseml.image.jdk"))
                .orElse(System.getenv("FUSEML_IMAGE_JDK"));
        if (named != null && !named.isBlank()) {
            Path jdk = Path.of(named);
            if (feature(jdk).orElse(0) < feature || !Files.isExecutable(jdk.resolve("bin/jlink"))) {
                throw new IllegalStateException("FUSEML_IMAGE_JDK=" + named + " is no JDK " + feature
                        + " or newer with jlink: point it at one (its release file says JAVA_VERSION=\"" + feature
                        + "...\")");
            }
            return jdk;
        }
        Path running = Path.of(System.getProperty("java.home"));
        if (feature(running).orElse(0) >= feature && Files.isExecutable(running.resolve("bin/jlink"))) {
            return running;
        }
        if (Files.isDirectory(JVM_FOLDER)) {
            try (Stream<Path> jdks = Files.list(JVM_FOLDER)) {
                List<Path> suitable = jdks.filter(j -> !Files.isSymbolicLink(j))
                        .filter(j -> feature(j).orElse(0) >= feature && Files.isExecutable(j.resolve("bin/jlink")))
                        .sorted(Comparator.comparing((Path j) -> feature(j).orElse(0)).reversed()
                                .thenComparing(Path::toString))
                        .toList();
                if (!suitable.isEmpty()) {
                    return suitable.get(0);
                }
            }
        }
        throw new IllegalStateException("the image's runtime needs a JDK " + feature + " or newer (its AOT cache "
                + "gives the functions their fast start), and none was found in " + JVM_FOLDER + ": install one "
                + "(Temurin " + feature + ", or Debian's openjdk-" + feature + "-jdk-headless) or set FUSEML_IMAGE_JDK "
                + "to its directory");
    }

    /** The feature release a JDK directory's {@code release} file names. */
    static Optional<Integer> feature(Path jdk) {
        try {
            Matcher m = VERSION.matcher(Files.readString(jdk.resolve("release")));
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
