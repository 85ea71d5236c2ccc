package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    void anAppThatFollowsAnotherBranchStartsRunsFromItAndStoresPushesToMain() throws Exception {
        CliProcess.Result refused = cli.run("follow", "wine", "no..such");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.all()).contains("not a branch name git takes");
        CliProcess.Result follow = cli.run("follow", "wine", "experiment");
        assertThat(follow.exitCode()).as(follow.all()).isZero();
        assertThat(cli.run("apps").out()).contains("experiment");

        Files.writeString(work.resolve("NOTES.md"), "trying more things\n");
        git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "-am", "more notes");
        Result pushed = git("push", codeset, "experiment");
        assertThat(pushed.out()).contains("FuseML: run wine-");
        String commit = git("rev-parse", "HEAD").out().trim();
        await().atMost(Duration.ofMinutes(5)).until(() -> runs().size() == 2
                && runs().get(0).path("status").asText().matches("succeeded|failed"));
        assertThat(runs().get(0).path("status").asText()).isEqualTo("succeeded");
        assertThat(runs().get(0).path("commit").asText()).isEqualTo(commit);

        git("checkout", "-q", "main");
        Files.writeString(work.resolve("MAIN.md"), "on main\n");
        git("add", "MAIN.md");
        git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-q", "-m", "main note");
        assertThat(git("push", codeset, "main").out()).contains("only pushes to experiment start a run");
        assertThat(runs()).hasSize(2);
        assertThat(cli.run("follow", "wine", "main").exitCode()).isZero();
    }

    @Test
    @Order(6)
    void signedPushWebhooksOfEachHostStartOneRunThatEndsServedAndWrongOnesStartNothing() throws Exception {
        String commit = git("rev-parse", "main").out().trim();
        // GitHub: the octokit push example made an ordinary push to main of the commit in the codeset
        Hook github = add("hooked", "github");
        ObjectNode payload = (ObjectNode) payload("push_payload.json");
        payload.put("ref", "refs/heads/main").put("after", commit).put("deleted", false);
        byte[] body = JSON.writeValueAsBytes(payload);
        String delivery = java.util.UUID.randomUUID().toString();
        Map<String, String> signed = Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", delivery,
                "X-Hub-Signature-256", "sha256=" + hmac(github.secret(), body));
        HttpResponse<String> forged = post(github.url(), body, Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery",
                "forged", "X-Hub-Signature-256", "sha256=" + hmac("not the secret", body)));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
        HttpResponse<String> ping = post(github.url(), JSON.writeValueAsBytes(payload("ping_payload.json")),
                Map.of("X-GitHub-Event", "ping", "X-GitHub-Delivery", "p-1", "X-Hub-Signature-256", "sha256="
                        + hmac(github.secret(), JSON.writeValueAsBytes(payload("ping_payload.json")))));
        assertThat(ping.statusCode()).isEqualTo(202);
        assertThat(ping.body()).contains("ignored");
        assertThat(runs("hooked")).isEmpty();

        HttpResponse<String> started = post(github.url(), body, signed);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(started.body()).contains("started");
        awaitServed("hooked", commit);
        HttpResponse<String> again = post(github.url(), body, signed);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("taken already");
        payload.put("ref", "refs/heads/experiment");
        byte[] other = JSON.writeValueAsBytes(payload);
        HttpResponse<String> branch = post(github.url(), other, Map.of("X-GitHub-Event", "push",
                "X-GitHub-Delivery", "b-1", "X-Hub-Signature-256", "sha256=" + hmac(github.secret(), other)));
        assertThat(branch.body()).contains("not the branch this webhook follows");
        assertThat(runs("hooked")).hasSize(1);

        // Gitea: its documented push example, signed with X-Gitea-Signature (hex, no prefix)
        Hook gitea = add("hooked-gitea", "gitea");
        ObjectNode giteaPush = (ObjectNode) payload("push.json");
        giteaPush.put("ref", "refs/heads/main").put("after", commit);
        byte[] giteaBody = JSON.writeValueAsBytes(giteaPush);
        assertThat(post(gitea.url(), giteaBody, Map.of("X-Gitea-Event", "push", "X-Gitea-Delivery", "g-1",
                "X-Gitea-Signature", hmac(gitea.secret(), giteaBody))).statusCode()).isEqualTo(202);
        awaitServed("hooked-gitea", commit);

        // GitLab: its documented Push Hook, with the secret token as GitLab sends it
        Hook gitlab = add("hooked-gitlab", "gitlab");
        ObjectNode gitlabPush = (ObjectNode) payload("push_hook.json");
        gitlabPush.put("ref", "refs/heads/main").put("after", commit).put("checkout_sha", commit);
        byte[] gitlabBody = JSON.writeValueAsBytes(gitlabPush);
        assertThat(post(gitlab.url(), gitlabBody, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token",
                "wrong")).statusCode()).isEqualTo(401);
        assertThat(post(gitlab.url(), gitlabBody, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID",
                "l-1", "X-Gitlab-Token", gitlab.secret())).statusCode()).isEqualTo(202);
        awaitServed("hooked-gitlab", commit);
        assertThat(cli.run("webhooks").out()).contains(github.id(), gitea.id(), gitlab.id());
    }

    record Hook(String id, String url, String secret) {
    }

    private Hook add(String app, String provider) throws Exception {
        CliProcess.Result added = cli.run("webhooks", "add", app, "--provider", provider, "--repo", codeset);
        assertThat(added.exitCode()).as(added.all()).isZero();
        String out = added.out();
        return new Hook(out.replaceAll("(?s).*Webhook (wh-[0-9a-f]+).*", "$1"),
                out.replaceAll("(?s).*Payload URL: (\\S+).*", "$1"), out.replaceAll("(?s).*Secret:\\s+(\\S+).*", "$1"));
    }

    private static JsonNode payload(String name) throws IOException {
        return JSON.readTree(CliProcess.repo().resolve("functions/src/test/resources/conformance/webhooks")
                .resolve(name).toFile());
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static HttpResponse<String> post(String url, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode runs(String app) throws Exception {
        CliProcess.Result runs = cli.run("runs", app, "-o", "json");
        return runs.exitCode() == 0 ? JSON.readTree(runs.out()) : JSON.createArrayNode();
    }

    private void awaitServed(String app, String commit) throws Exception {
        await().atMost(Duration.ofMinutes(3)).until(() -> runs(app).size() == 1
                && runs(app).get(0).path("status").asText().matches("succeeded|failed"));
        JsonNode run = runs(app).get(0);
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("commit").asText()).isEqualTo(commit);
    }

    @Test
    @Order(5)
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
