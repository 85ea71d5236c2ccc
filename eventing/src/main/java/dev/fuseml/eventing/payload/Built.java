package dev.fuseml.eventing.payload;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.built}.
 *
 * @param environment an opaque reference to the built environment (a venv on one machine, an image on a cluster)
 */
public record Built(String commit, Map<String, String> params, String entryPoint, String environment) {
}
