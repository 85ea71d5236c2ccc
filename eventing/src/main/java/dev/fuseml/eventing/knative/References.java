package dev.fuseml.eventing.knative;

import java.net.URI;
import java.util.Optional;

/**
 * Resolves a Knative Destination's {@code ref} (an addressable: kind, name, namespace) to its URL, as Knative's
 * resolver does on a cluster. The embedded broker knows only its own addressables: FuseML's step Services and the
 * control plane.
 */
@FunctionalInterface
public interface References {
    /** None resolved: a Destination must give {@code uri}. */
    References NONE = (kind, name, namespace) -> Optional.empty();

    Optional<URI> resolve(String kind, String name, String namespace);
}
