package dev.fuseml;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

/** The orchestrator's settings ({@code fuseml.*} in application.properties, or FUSEML_* environment variables). */
@ConfigMapping(prefix = "fuseml")
public interface FusemlConfig {
    /** Where codesets, environments, models, runs and the broker's log live. */
    @WithDefault("${user.home}/.local/share/fuseml")
    Path dataDir();

    /** Interpreter that creates the Python environments (a name on PATH or a path). */
    @WithDefault("python3")
    String python();

    /** Longest a training process may run. */
    @WithDefault("PT30M")
    Duration trainTimeout();

    /** Longest an environment build (venv + pip) may run. */
    @WithDefault("PT20M")
    Duration buildTimeout();

    /** Address the broker ingress and the prediction servers listen on. */
    @WithDefault("127.0.0.1")
    String host();

    /** Broker ingress port; 0 picks a free one (the status API tells which). */
    @WithDefault("0")
    int brokerPort();

    /** Org every installation starts with. */
    @WithDefault("workspace")
    String defaultOrg();
}
