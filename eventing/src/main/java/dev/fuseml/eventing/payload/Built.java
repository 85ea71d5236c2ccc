package dev.fuseml.eventing.payload;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.built}.
 *
 * @param environment an opaque reference to the built environment, understood by the trainer and the deployer of
 *                    the same platform ({@code venv:ORG/HASH} on one machine, an image reference on a cluster)
 * @param serveTarget the app's model server on a cluster for this push ({@code fuseml push --serve-target}), or
 *                    null for the project's choice
 */
public record Built(String repository, String commit, Map<String, String> params, String entryPoint,
        String environment, @JsonInclude(JsonInclude.Include.NON_NULL) String serveTarget) {
    public Built(String repository, String commit, Map<String, String> params, String entryPoint,
            String environment) {
        this(repository, commit, params, entryPoint, environment, null);
    }
}
