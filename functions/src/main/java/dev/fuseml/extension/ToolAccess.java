package dev.fuseml.extension;

import dev.fuseml.step.RunRef;

import java.util.Map;
import java.util.Optional;

/**
 * How a step gets a tool registered for its run's org (the org's own, else a global one), with its credentials:
 * the only way credentials leave the registry. Over HTTP from the control plane ({@code remote/HttpToolAccess}),
 * which answers the deployment only, never a user's token or a training's.
 */
public interface ToolAccess {
    /** A tool and its credentials; its {@link #toString} leaves them out, so a log line cannot carry them. */
    record Grant(String name, String kind, String url, Map<String, String> credentials) {
        public Grant {
            credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
        }

        @Override
        public String toString() {
            return kind + " extension " + name + " (" + url + ")";
        }
    }

    /** What to ask: a kind, and the extension's name when the project names one. */
    record Request(String kind, String name) {
    }

    /** No registry (tests of steps that use no tool). */
    ToolAccess NONE = (run, kind, name) -> Optional.empty();

    /**
     * @param name the extension the project names, or null for the only one of {@code kind}
     * @return the tool; empty when none of that kind is registered (and none was named)
     * @throws dev.fuseml.step.StepFailure when the named one is missing or of another kind, or several of the kind
     *                                     are registered and none is named (the message says how to name one)
     */
    Optional<Grant> grant(RunRef run, String kind, String name) throws Exception;
}
