package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;

import java.net.URI;
import java.util.Optional;

/**
 * Who may send what into a broker, and which credentials its deliveries carry. The broker knows nothing of tokens or
 * tenants; whoever embeds it says, as Knative's broker leaves authentication to its OIDC and ingress policies.
 */
public interface BrokerGuard {
    /** A guard that admits everything and sends no credentials: a broker on a trusted loopback. */
    BrokerGuard OPEN = new BrokerGuard() {
    };

    /** Why a request was not admitted: the HTTP status and a message that names the fix. */
    record Refusal(int status, String message) {
    }

    /**
     * Whether a sender presenting {@code authorization} (the Authorization header, or null) may post to
     * {@code namespace}'s broker; checked before the body is read.
     */
    default Optional<Refusal> admit(String namespace, String authorization) {
        return Optional.empty();
    }

    /** Whether {@code event} may enter {@code namespace}'s broker: checked for posted events and for replies alike. */
    default Optional<Refusal> accepts(String namespace, CloudEvent event) {
        return Optional.empty();
    }

    /** The Authorization header a delivery of {@code trigger} to {@code target} (subscriber or dead-letter sink) carries. */
    default Optional<String> credentials(Trigger trigger, URI target) {
        return Optional.empty();
    }
}
