package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code git push} with the system's git to an app's codeset URL: the token comes from {@code fuseml git-credential}
 * (git's credential helper protocol), a push to main starts a run that ends served, a push to another branch is
 * stored and starts nothing, and a push without a token is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GitPushIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CliProcess cli;
    private Path work;
    private String codeset;

    @BeforeAll
    void installAndMakeARepository() throws Exception {
        cli = CliProcess.installed("fuseml-git", Map.of());
        work = Files.createDirectories(cli.home().resolve("wine"));
        try (Stream<Path> files = Files.list(CliProcess.repo().resolve("examples/sklearn-wine"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, work.resolve(f.getFileName()));
            }
        }
        String server = CliConfig.load(cli.config()).server();
        codeset = server + "/git/workspace/wine.git";
        git("init", "-q", "-b", "main");
        git("add", ".");
        git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "-m", "wine");
    }

    @AfterAll
    void uninstall() throws Exception {
        cli.purge();
    }

    /** git with FuseML's credential helper, the CLI run as git would run it (with this test's config). */
    private Result git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "credential.helper=", "-c",
                "credential.helper=!java -jar " + CliProcess.jar().toAbsolutePath() + " git-credential"));
        command.addAll(List.of(args));
        return run(command, true);
    }

    private Result run(List<String> command, boolean withConfig) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        if (withConfig) {
            builder.environment().put("FUSEML_CONFIG", cli.config().toString());
        }
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), out);
    }

    record Result(int exitCode, String out) {
    }

    private JsonNode runs() throws Exception {
        CliProcess.Result runs = cli.run("runs", "wine", "-o", "json");
        return runs.exitCode() == 0 ? JSON.readTree(runs.out()) : JSON.createArrayNode();
    }

    @Test
    @Order(1)
    void aPushWithoutATokenIsRefusedAndStartsNothing() throws Exception {
        Result refused = run(List.of("git", "-c", "credential.helper=", "push", codeset, "main"), false);
        assertThat(refused.exitCode()).as(refused.out()).isNotZero();
        // git got 401 with a Basic challenge and, without a helper or a terminal, cannot answer it
        assertThat(refused.out()).containsAnyOf("could not read Username", "Authentication failed");
        assertThat(runs()).isEmpty();
    }

    @Test
    @Order(2)
    void aPushToMainStoresTheCommitsAndStartsARunThatEndsServed() throws Exception {
        Result pushed = git("push", codeset, "main");
        assertThat(pushed.exitCode()).as(pushed.out()).isZero();
        assertThat(pushed.out()).contains("FuseML: run wine-", "started for workspace/wine");
        String commit = git("rev-parse", "HEAD").out().trim();
        await().atMost(Duration.ofMinutes(5)).until(() -> runs().size() == 1
                && runs().get(0).path("status").asText().matches("succeeded|failed"));
        JsonNode run = runs().get(0);
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("commit").asText()).isEqualTo(commit);
        assertThat(cli.run("apps").out()).contains(codeset);
    }

    @Test
    @Order(3)
    void aPushToAnotherBranchIsStoredAndStartsNothing() throws Exception {
        git("checkout", "-q", "-b", "experiment");
        Files.writeString(work.resolve("NOTES.md"), "trying things\n");
        git("add", "NOTES.md");
        git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "-m", "notes");
        Result pushed = git("push", codeset, "experiment");
        assertThat(pushed.exitCode()).as(pushed.out()).isZero();
        assertThat(pushed.out()).contains("only pushes to main start a run");
        assertThat(git("ls-remote", codeset).out()).contains("refs/heads/experiment");
        assertThat(runs()).hasSize(1);
    }

    @Test
    @Order(4)
    void theCredentialHelperGivesTheTokenToTheOrchestratorsHostOnly() throws Exception {
        ProcessBuilder helper = new ProcessBuilder("java", "-jar", CliProcess.jar().toString(), "git-credential", "get")
                .redirectErrorStream(true);
        helper.environment().put("FUSEML_CONFIG", cli.config().toString());
        Process other = helper.start();
        other.getOutputStream().write("protocol=https\nhost=github.com\n\n".getBytes(StandardCharsets.UTF_8));
        other.getOutputStream().close();
        assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).doesNotContain(
                "password");
        other.waitFor();
    }

}
