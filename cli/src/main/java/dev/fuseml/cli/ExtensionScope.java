package dev.fuseml.cli;

import picocli.CommandLine.Option;

/** Where an extension lives: an org (default: the current one) or the global registry (a picocli mixin). */
public class ExtensionScope {
    @Option(names = "--org", paramLabel = "ORG", description = "The org (default: the current one).")
    String org;

    @Option(names = "--global", description = "The global registry, which every org may use (admin only to change).")
    boolean global;

    /** The API path of the extensions in this scope. */
    String path(FusemlCommand command) {
        if (global && org != null) {
            throw new CliException("give --org or --global, not both");
        }
        if (global) {
            return "/api/v1/extensions";
        }
        return "/api/v1/orgs/" + (org != null ? command.requireName("org", org) : command.org()) + "/extensions";
    }
}
