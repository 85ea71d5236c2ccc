package dev.fuseml.cli;

/**
 * Makes the client of the orchestrator that commands talk to: the real one, or in tests a fake, so that a command's
 * output is tested without a server.
 */
@FunctionalInterface
public interface ClientFactory {
    /** @param token sent with every request; null for none */
    OrchestratorClient connect(String server, String token);
}
