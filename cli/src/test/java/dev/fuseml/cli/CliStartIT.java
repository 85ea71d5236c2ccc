package dev.fuseml.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded CLI stays a plain fast JVM start: {@code fuseml --help} builds the command tree and prints, and loads
 * neither a Jackson mapper (listings make theirs when they print) nor fabric8 (only Kubernetes commands need it).
 */
class CliStartIT {
    private static List<String> loadedClasses(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("java", "-Xshare:auto", "-Xlog:class+load=info",
                "-jar", CliProcess.jar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.contains("[class,load]")).map(l -> l.replaceAll(".*\\[class,load] (\\S+).*",
                "$1")).toList();
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
