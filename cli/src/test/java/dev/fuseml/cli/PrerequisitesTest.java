package dev.fuseml.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/prerequisites.sh, which demo.sh and .ci/run start with: on a machine that lacks something, one line per
 * missing tool naming what to install, and nothing else runs.
 */
class PrerequisitesTest {
    private static final Path SCRIPT = CliProcess.repo().resolve("scripts/prerequisites.sh");
    @TempDir
    Path bin;

    record Result(int code, String err) {
    }

    /** {@code require MODE} with only {@code bin} on PATH. */
    private Result require(String mode) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", "-c", "source " + SCRIPT + " && require " + mode)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().put("PATH", bin.toString());
        Process p = builder.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), err);
    }

    /** A command on the test's PATH that prints {@code output} (to stderr, as java -version does). */
    private void tool(String name, String output) throws Exception {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/bash\necho '" + output + "' >&2\nexit 0\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aMachineWithNothingGetsOneLinePerToolNamingItsPackage() throws Exception {
        Result ci = require("ci");
        assertThat(ci.code()).isEqualTo(1);
        List<String> lines = ci.err().lines().toList();
        assertThat(lines).hasSize(6).allSatisfy(l -> assertThat(l).startsWith("missing: ").contains("apt-get install"));
        assertThat(ci.err()).contains("missing: java", "missing: mvn", "missing: git", "missing: python3",
                "missing: node", "missing: npm");
        Result demo = require("demo");
        assertThat(demo.err()).contains("missing: curl").doesNotContain("missing: node");
    }

    @Test
    void everythingPresentPasses() throws Exception {
        tool("java", "openjdk version \"17.0.15\" 2025-04-15");
        for (String name : List.of("mvn", "git", "python3", "node", "npm", "curl")) {
            tool(name, name);
        }
        assertThat(require("ci")).isEqualTo(new Result(0, ""));
        assertThat(require("demo")).isEqualTo(new Result(0, ""));
    }

    @Test
    void aJavaOlderThan17IsNamedWithItsVersion() throws Exception {
        tool("java", "java version \"1.8.0_392\"");
        for (String name : List.of("mvn", "git", "python3", "node", "npm")) {
            tool(name, name);
        }
        Result r = require("ci");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("too old: java is version 8").contains("needs 17 or newer");
    }

    @Test
    void aPythonWithoutVenvIsNamed() throws Exception {
        tool("java", "openjdk version \"21.0.1\"");
        for (String name : List.of("mvn", "git", "node", "npm")) {
            tool(name, name);
        }
        Path python = bin.resolve("python3");
        Files.writeString(python, "#!/bin/bash\nexit 1\n"); // import venv fails
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = require("ci");
        assertThat(r.err().strip()).isEqualTo("missing: python3's venv module (the build step makes a venv per "
                + "environment): apt-get install python3-venv");
    }
}
