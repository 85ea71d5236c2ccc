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
    /**
     * A tool and its credentials; its {@link #toString} leaves them out, so a log line cannot carry them.
     *
     * @param global whether it is a global extension (an admin's, for every org)
     */
    record Grant(String name, String kind, String url, Map<String, String> credentials, boolean global) {
        public Grant {
            credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
        }

        /** An org's own tool. */
        public Grant(String name, String kind, String url, Map<String, String> credentials) {
            this(name, kind, url, credentials, false);
        }

        /**
         * Refuses to hand a global extension's credentials to a user's code (the training, the environment's dvc):
         * code of one org would hold what every org's runs use, and could reach the others' runs or data with it.
         *
         * @throws dev.fuseml.step.StepFailure naming the fix: the org registers the tool itself
         */
        public Grant forUsersCode(String org) {
            if (global && !credentials.isEmpty()) {
                throw new dev.fuseml.step.StepFailure("extension " + name + " is a global one with credentials, which "
                        + "FuseML does not give to an org's code: register the " + kind + " for org " + org
                        + " (fuseml extensions add " + name + " --kind " + kind + " --url " + url
                        + " --credentials-file F --org " + org + ")");
            }
            return this;
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
