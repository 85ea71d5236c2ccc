package dev.fuseml.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options every subcommand takes (a picocli mixin). */
public class GlobalOptions {
    @Option(names = "--config-file", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Config file (default: $FUSEML_CONFIG or $HOME/.config/fuseml/config.yaml).")
    Path configFile;

    /** How commands reach the orchestrator (set once by {@link Fuseml#commandLine(ClientFactory)}). */
    ClientFactory clients = OrchestratorClient::new;

    public Path configPath() {
        return configFile != null ? configFile : CliConfig.defaultPath();
    }

    public CliConfig config() {
        return CliConfig.load(configPath());
    }

    /** A client for the installed orchestrator, or a clear error when there is none. */
    public OrchestratorClient client() {
        CliConfig config = config();
        if (config.server() == null) {
            if (java.nio.file.Files.isRegularFile(configPath())
                    && config.equals(new CliConfig(null, null, null, null, null, null))) {
                // a file that parses but names no server: a typo, most likely, not a missing install
                throw new CliException("the config file " + configPath() + " names no server (its keys are server, "
                        + "org, token, dataDir, pid, kubernetes): fix the key 'server', or run 'fuseml install' or "
                        + "'fuseml login --server URL'");
            }
            throw new CliException("FuseML is not installed: run 'fuseml install' first");
        }
        return clients.connect(config.server(), config.effectiveToken());
    }
}
