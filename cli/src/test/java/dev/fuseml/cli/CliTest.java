package dev.fuseml.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI in-process, without an orchestrator: what it refuses before talking to anyone. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
    }

    private Run run(String... args) {
        CommandLine cli = Fuseml.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 2];
        all[0] = "--config-file";
        all[1] = dir.resolve("config.yaml").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = cli.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void badAppAndOrgNamesAreRefusedWithTheRule() {
        for (String[] args : new String[][]{{"push", "My_App", "."}, {"delete", "x-"}, {"create-org", "Org"},
                {"logs", "a.b"}, {"target", "UPPER"}}) {
            Run run = run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).contains("invalid", "DNS-1123 label", "lower-case letters");
        }
    }

    @Test
    void parameterNamesThatAShellWouldReadAreRefusedBeforeAnythingIsSent() {
        for (String key : new String[]{"x;touch pwned;y", "k$(touch pwned2)", "a b"}) {
            Run run = run("push", "wine", ".", "-P", key + "=1");
            assertThat(run.exitCode()).as(key).isEqualTo(2);
            assertThat(run.err()).contains("invalid parameter name '" + key + "'", "letters, digits");
        }
    }

    @Test
    void aServeTargetFuseMlDoesNotDeployToIsRefusedWithTheChoices() {
        Run run = run("push", "wine", ".", "--serve-target", "torchserve");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--serve-target 'torchserve'", "knative, kserve, seldon");
        assertThat(run("help", "push").out()).contains("--serve-target=SERVER", "knative, kserve, seldon");
    }

    @Test
    void runIdsThatCannotBeRunIdsAreRefusedBeforeAnythingIsSent() {
        for (String[] args : new String[][]{{"logs", "wine", "--run", "../../etc/passwd"}, {"events", "A_RUN"}}) {
            Run run = run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).contains("invalid run id", "fuseml runs");
        }
    }

    @Test
    void clusterOptionsWithoutKubernetesAreRefusedNamingTheFlag() {
        for (String[] args : new String[][]{{"install", "--context", "prod"}, {"install", "--server",
                "http://127.0.0.1:8080"}, {"uninstall", "--context", "prod"}}) {
            Run run = run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isNotZero();
            assertThat(run.err()).contains("--kubernetes");
        }
        assertThat(dir.resolve("config.yaml")).as("nothing written").doesNotExist();
    }

    @Test
    void commandsThatNeedTheOrchestratorSayHowToStartIt() {
        Run run = run("apps");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("not installed", "fuseml install");
    }

    @Test
    void anOrchestratorThatIsGoneIsReportedWithTheFix() {
        new CliConfig("http://127.0.0.1:1", "workspace", null, null).save(dir.resolve("config.yaml"));
        Run run = run("runs");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("does not answer at http://127.0.0.1:1", "fuseml install");
    }

    @Test
    void targetPrintsTheDefaultOrg() {
        Run run = run("target");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().trim()).isEqualTo("workspace");
    }

    @Test
    void aConfigWithAServerThatIsNoUrlOrThatIsADirectoryIsOneLineNamingFileAndKey() throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "server: not a url\n");
        Run bad = run("apps");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains(file.toString(), "server", "not an http(s) URL").doesNotContain("Exception");
        Files.delete(file);
        Files.createDirectories(file);
        Run directory = run("apps");
        assertThat(directory.exitCode()).isEqualTo(1);
        assertThat(directory.err()).contains("is a directory").doesNotContain("not installed");
    }

    @Test
    void aBrokenConfigFileIsNamed() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "server: [unclosed\n");
        Run run = run("target");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot read the config file", "config.yaml");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[]{"install", "uninstall", "push", "apps", "runs", "logs", "delete",
                "create-org", "orgs", "target", "gc"}) {
            Run run = run(command, "--help");
            assertThat(run.exitCode()).as(command).isZero();
            assertThat(run.out()).as(command).contains("Usage: fuseml " + command);
        }
        assertThat(run("help", "push").out()).contains("-P, --param=KEY=VALUE");
        assertThat(run("apps", "-o", "xml").err()).contains("Invalid value for option '--output'");
    }

    @Test
    void projectArchivesLeaveOutCachesAndRefuseMissingDirectories() throws Exception {
        Files.writeString(dir.resolve("train.py"), "print(1)");
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref");
        Files.createDirectories(dir.resolve("__pycache__"));
        Files.writeString(dir.resolve("__pycache__/x.pyc"), "");
        try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(ProjectArchive.zip(dir)))) {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
            }
            assertThat(names).contains("train.py").noneMatch(n -> n.startsWith(".git") || n.contains("__pycache__"));
        }
        new CliConfig("http://127.0.0.1:1", "workspace", null, null).save(dir.resolve("config.yaml"));
        Run run = run("push", "app", dir.resolve("missing").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is not a directory");
    }

    @Test
    void theConfigHoldingTheTokenIsReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "server: http://127.0.0.1:1\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        CliConfig.load(file).withToken("fuseml_secret").save(file);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(CliConfig.load(file).token()).isEqualTo("fuseml_secret");
        Path fresh = dir.resolve("sub/config.yaml");
        new CliConfig("http://127.0.0.1:1", "workspace", null, null, "t").save(fresh);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
                .isEqualTo("rw-------");
    }

    @Test
    void tokenAndLoginArgumentsAreCheckedBeforeAnythingIsSent() {
        Run badId = run("tokens", "delete", "../x");
        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.err()).contains("invalid token id", "fuseml tokens");
        Run badOrg = run("tokens", "create", "--org", "Team_A");
        assertThat(badOrg.exitCode()).isEqualTo(2);
        assertThat(badOrg.err()).contains("DNS-1123");
        Run badServer = run("login", "--server", "not a url");
        assertThat(badServer.exitCode()).isEqualTo(2);
        assertThat(badServer.err()).contains("invalid --server", "http://127.0.0.1:8080");
        assertThat(run("tokens", "--help").out()).contains("Usage: fuseml tokens", "create", "delete");
        Run badHook = run("webhooks", "delete", "../x");
        assertThat(badHook.exitCode()).isEqualTo(2);
        assertThat(badHook.err()).contains("invalid webhook id", "fuseml webhooks");
        Run badAlias = run("models", "alias", "wine", "Champion!", "2");
        assertThat(badAlias.exitCode()).isEqualTo(2);
        assertThat(badAlias.err()).contains("invalid alias name", "DNS-1123");
        Run neither = run("serve", "wine");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("--version", "--alias");
        Run notANumber = run("models", "alias", "wine", "champion", "two");
        assertThat(notANumber.exitCode()).isEqualTo(2);
    }

    @Test
    void runIdsAreDnsLabelsThatNameTheApp() {
        String id = PushCommand.runId("a".repeat(63));
        assertThat(dev.fuseml.eventing.Names.valid(id)).isTrue();
        assertThat(PushCommand.runId("wine")).startsWith("wine-");
    }
}
