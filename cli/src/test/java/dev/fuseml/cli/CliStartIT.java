package dev.fuseml.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded CLI stays a plain fast JVM start: {@code fuseml --help} builds the command tree and prints, and loads
 * neither a Jackson mapper (listings make theirs when they print) nor fabric8 (only Kubernetes commands need it); the
 * launcher's class-data-sharing archive holds what it loads, picocli's classes included.
 */
class CliStartIT {
    private static List<String> loadedClasses(String... args) throws Exception {
        return loaded(List.of("java", "-Xshare:auto"), args).stream().map(l -> l.split(" ")[0]).toList();
    }

    /** Each class the CLI loads, as "NAME source: WHERE". */
    private static List<String> loaded(List<String> jvm, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(jvm);
        command.addAll(List.of("-Xlog:class+load=info", "-jar", CliProcess.jar().toString()));
        command.addAll(List.of(args));
        String out = run(command);
        return out.lines().filter(l -> l.contains("[class,load]")).map(l -> l.replaceAll(".*\\[class,load] ", ""))
                .toList();
    }

    private static String run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // the launcher runs the java on PATH: this test's own
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH"));
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theLaunchersArchiveHoldsWhatHelpLoadsPicocliIncluded() throws Exception {
        Path jar = CliProcess.jar().toAbsolutePath();
        Path archive = jar.resolveSibling("fuseml-cli.jsa");
        Files.deleteIfExists(archive); // the launcher makes it again, as after a build
        assertThat(run(List.of(CliProcess.repo().resolve("fuseml").toString(), "--help"))).contains("Usage: fuseml");
        assertThat(archive).exists();

        List<String> shared = loaded(List.of("java", "-XX:SharedArchiveFile=" + archive), "--help").stream()
                .filter(l -> l.matches(".* source: shared objects file( \\(top\\))?"))
                .map(l -> l.split(" ")[0]).toList();
        // the commands' classes, and the JDK's line breaking that help's layout uses (the warm-up prints usage)
        assertThat(shared).contains("dev.fuseml.cli.Fuseml", "dev.fuseml.cli.PushCommand", "java.text.BreakIterator");
        if (Runtime.version().feature() == 17) {
            // picocli's classes are of class-file version 49: a dynamic archive leaves them out, JDK 17's static dump
            // keeps them (JDK 25 links them while it dumps, and leaves them out too)
            assertThat(shared).contains("picocli.CommandLine", "picocli.CommandLine$Help$TextTable");
        }
    }

    @Test
    void helpLoadsNoJacksonMapperAndNoFabric8() throws Exception {
        List<String> loaded = loadedClasses("--help");
        assertThat(loaded).contains("dev.fuseml.cli.Fuseml", "dev.fuseml.cli.PushCommand");
        // named, so that a failure lists only what should not be there
        assertThat(loaded.stream().filter(c -> c.startsWith("com.fasterxml.jackson.databind.ObjectMapper")
                || c.startsWith("com.fasterxml.jackson.dataformat") || c.startsWith("com.fasterxml.jackson.core.JsonFactory")
                || c.startsWith("io.fabric8"))).as("mappers or fabric8 loaded by --help (make them lazily)").isEmpty();
        // what is left of Jackson: the node types named in commands' method signatures, which picocli's reflection
        // resolves (no code of them runs)
        assertThat(loaded.stream().filter(c -> c.startsWith("com.fasterxml.jackson"))).hasSizeLessThanOrEqualTo(12);
    }
}
