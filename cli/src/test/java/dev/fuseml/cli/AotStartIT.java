package dev.fuseml.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The embedded orchestrator on a JDK 25 (the machine's, found by the launcher) with its AOT cache: the first install
 * of a build trains it in a short run whose JVM writes it as it stops; that start and every later one use it (the
 * JVM's own log says its AOT-linked classes are in use); a cache that does not load is noticed at the start after
 * and trained again, and the orchestrator starts either way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AotStartIT {
    private static final Map<String, String> ON = Map.of("FUSEML_AOT_CACHE", "on");
    private Path home;
    private CliProcess cli;

    @BeforeAll
    void jdk25() throws Exception {
        assumeTrue(OrchestratorJvm.find().isPresent(), "no JDK " + OrchestratorJvm.AOT_FEATURE + " on this machine");
        home = Files.createTempDirectory("fuseml-aot");
        cli = new CliProcess(home);
    }

    @AfterAll
    void clean() throws Exception {
        if (cli != null) {
            cli.run(ON, "uninstall", "--purge");
        }
        if (home != null) {
            try (Stream<Path> all = Files.walk(home)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Path aot() {
        return home.resolve("data").resolve("fuseml").resolve("aot");
    }

    private List<Path> caches() throws Exception {
        try (Stream<Path> files = Files.list(aot())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".aot")).toList();
        }
    }

    @Test
    void theFirstInstallTrainsTheCacheEveryStartUsesItAndACacheThatDidNotLoadIsTrainedAgain() throws Exception {
        CliProcess.Result first = cli.run(ON, "install");
        assertThat(first.exitCode()).as(first.all()).isZero();
        assertThat(first.out()).contains("Training the orchestrator's AOT cache",
                "on Java " + OrchestratorJvm.AOT_FEATURE + " with its AOT cache");
        assertThat(caches()).as("written by the training run's JVM as it stopped").hasSize(1);
        Path cache = caches().get(0);
        assertThat(Files.size(cache)).isGreaterThan(1024 * 1024);
        assertThat(Files.readString(aot().resolve("last-start.log"))).contains(OrchestratorJvm.CACHE_USED);
        assertThat(cli.run(ON, "status").exitCode()).isZero();
        assertThat(cli.run(ON, "uninstall").exitCode()).isZero();

        CliProcess.Result second = cli.run(ON, "install");
        assertThat(second.exitCode()).as(second.all()).isZero();
        assertThat(second.out()).doesNotContain("Training").contains("with its AOT cache");
        assertThat(Files.readString(aot().resolve("last-start.log"))).contains(OrchestratorJvm.CACHE_USED);
        assertThat(cli.run(ON, "uninstall").exitCode()).isZero();

        // a cache that does not load (cut short, say): the orchestrator still starts, and the start after trains
        Files.write(cache, new byte[4096]);
        CliProcess.Result cut = cli.run(ON, "install");
        assertThat(cut.exitCode()).as(cut.all() + cli.orchestratorLogTail(40)).isZero();
        assertThat(Files.readString(aot().resolve("last-start.log"))).doesNotContain(OrchestratorJvm.CACHE_USED);
        assertThat(cli.run(ON, "uninstall").exitCode()).isZero();
        CliProcess.Result again = cli.run(ON, "install");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("Training the orchestrator's AOT cache");
        assertThat(Files.readString(aot().resolve("last-start.log"))).contains(OrchestratorJvm.CACHE_USED);
    }

    @Test
    void aJavaHomeThatIsNoJdkIsRefusedNamingTheRule() throws Exception {
        CliProcess.Result refused = cli.run(Map.of("FUSEML_JAVA_HOME", home.toString()), "install");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("FUSEML_JAVA_HOME=" + home, "no JDK 17 or newer", "unset it");
    }
}
