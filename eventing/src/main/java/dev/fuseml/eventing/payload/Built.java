package dev.fuseml.eventing.payload;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.built}.
 *
 * @param environment an opaque reference to the built environment, understood by the trainer and the deployer of
 *                    the same platform ({@code venv:ORG/HASH} on one machine, an image reference on a cluster)
 */
public record Built(String repository, String commit, Map<String, String> params, String entryPoint,
        String environment) {
}
