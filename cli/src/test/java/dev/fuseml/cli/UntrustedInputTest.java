package dev.fuseml.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the CLI takes from a project or a run and passes on: links in a project stay links and never carry a file
 * from outside it, what training printed reaches the terminal without its control sequences, and a config file with
 * no server is named as such.
 */
class UntrustedInputTest {
    @TempDir
    Path dir;

    private Map<String, String> entries(byte[] zip) throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.put(e.getName(), new String(in.readAllBytes()));
            }
        }
        return names;
    }

    @Test
    void aLinkInsideTheProjectIsListedAsALinkAndNotCopied() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("data/wine.csv"), "a,b\n");
        Files.writeString(project.resolve("train.py"), "print(1)");
        Files.createSymbolicLink(project.resolve("latest.csv"), Path.of("data/wine.csv"));
        Files.createSymbolicLink(project.resolve("d"), Path.of("data"));

        Map<String, String> zip = entries(ProjectArchive.zip(project));

        assertThat(zip).containsOnlyKeys("data/wine.csv", "train.py", ProjectArchive.LINKS);
        assertThat(OrchestratorClient.JSON.readTree(zip.get(ProjectArchive.LINKS)).properties())
                .extracting(Map.Entry::getKey, e -> e.getValue().asText())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("d", "data"),
                        org.assertj.core.groups.Tuple.tuple("latest.csv", "data/wine.csv"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"an absolute link, /etc/passwd", "a relative link out, ../secret.txt",
            "a link to the project itself, .", "a link out through a directory, data/../../secret.txt"})
    void aLinkPointingOutsideTheProjectIsRefusedWithItsName(String name, String target) throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "not for upload");
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("train.py"), "print(1)");
        Files.createSymbolicLink(project.resolve("passwd"), Path.of(target));

        assertThatThrownBy(() -> ProjectArchive.zip(project)).isInstanceOf(CliException.class)
                .hasMessageContaining("'passwd' is a link to " + target + ", outside the project");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> terminalCases() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("an escape sequence",
                        "\u001b[2J\u001b]0;pwned\u0007done", "\\x1b[2J\\x1b]0;pwned\\x07done"),
                org.junit.jupiter.params.provider.Arguments.of("a carriage return", "100%" + (char) 13 + "fake line",
                        "100%\\x0dfake line"),
                org.junit.jupiter.params.provider.Arguments.of("a C1 control", "a\u009bb", "a\\x9bb"),
                org.junit.jupiter.params.provider.Arguments.of("newlines and tabs are kept", "epoch 1\tloss\n0.5",
                        "epoch 1\tloss\n0.5"),
                org.junit.jupiter.params.provider.Arguments.of("plain text is unchanged", "accuracy 0.93",
                        "accuracy 0.93"));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("terminalCases")
    void controlCharactersFromUsersOutputAreShownNotSent(String name, String printed, String shown) {
        assertThat(TerminalText.safe(printed)).isEqualTo(shown);
    }

    @Test
    void aConfigFileThatNamesNoServerIsNamedAsSuchNotAsAMissingInstall() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "servr: http://127.0.0.1:8080\n");
        java.io.StringWriter err = new java.io.StringWriter();
        var cli = Fuseml.commandLine();
        cli.setErr(new java.io.PrintWriter(err));
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
        int code = cli.execute("--config-file", config.toString(), "apps");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("the config file " + config + " names no server", "fix the key 'server'")
                .doesNotContain("not installed");
    }
}
