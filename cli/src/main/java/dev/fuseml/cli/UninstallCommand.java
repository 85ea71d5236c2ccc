package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Stop the orchestrator (and every prediction server it runs).")
public class UninstallCommand extends FusemlCommand {
    @Option(names = "--purge", description = "Also delete its data: codesets, environments, models and runs.")
    boolean purge;

    @Option(names = "--kubernetes", description = "Remove from the cluster (the config's, or --context) what "
            + "'install --kubernetes' made, and nothing else.")
    boolean kubernetes;

    @Option(names = "--context", paramLabel = "NAME", description = "With --kubernetes: the kubeconfig context.")
    String context;

    @Override
    public Integer call() throws Exception {
        CliConfig config = config();
        if (!kubernetes && context != null) {
            throw new CliException("--context goes with --kubernetes");
        }
        if (kubernetes) {
            KubernetesTarget.uninstall(context != null ? context : config.kubernetes(), out());
            new CliConfig(null, config.org(), null, null, config.token()).save(global().configPath());
            return 0;
        }
        Optional<ProcessHandle> process = config.pid() == null ? Optional.empty() : ProcessHandle.of(config.pid());
        if (process.isPresent() && process.get().isAlive()) {
            process.get().destroy();
            try {
                process.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                process.get().destroyForcibly();
                process.get().onExit().get(10, TimeUnit.SECONDS);
            }
            println("Stopped the orchestrator (pid " + config.pid() + ")");
        } else {
            println("The orchestrator is not running");
        }
        if (purge && config.dataDir() != null) {
            delete(Path.of(config.dataDir()));
            println("Deleted " + config.dataDir());
        }
        // The admin token stays with the data it guards: a purge forgets both.
        new CliConfig(null, config.org(), null, purge ? null : config.dataDir(), purge ? null : config.token())
                .save(global().configPath());
        return 0;
    }

    /** Deletes a directory tree; nothing happens when it does not exist. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
