package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.util.Optional;

/**
 * Knative's hop limit: the broker stamps an event with {@code knativebrokerttl} (255) when it enters without one, each
 * delivery carries one hop less, and an event with none left is not delivered. A trigger whose subscriber sends
 * events back into the broker (its own ingress, or a reply of the same type) ends instead of looping forever.
 */
public final class HopCount {
    public static final String EXTENSION = "knativebrokerttl";
    public static final int DEFAULT = 255;

    private HopCount() {
    }

    /** The event as the broker keeps it: with its hop count, {@link #DEFAULT} when it came without a valid one. */
    static CloudEvent stamped(CloudEvent event) {
        Integer ttl = read(event);
        return ttl != null ? event : CloudEventBuilder.v1(event).withExtension(EXTENSION, DEFAULT).build();
    }

    /** The event as one delivery sends it, one hop less; empty when no hop is left. */
    static Optional<CloudEvent> next(CloudEvent event) {
        Integer ttl = read(event);
        int left = (ttl == null ? DEFAULT : ttl) - 1;
        if (left < 1) {
            return Optional.empty();
        }
        return Optional.of(CloudEventBuilder.v1(event).withExtension(EXTENSION, left).build());
    }

    /** A reply carries the hops its cause had left after its delivery, unless it says otherwise. */
    static CloudEvent inherited(CloudEvent reply, CloudEvent cause) {
        if (read(reply) != null) {
            return reply;
        }
        Integer ttl = read(cause);
        return CloudEventBuilder.v1(reply).withExtension(EXTENSION, (ttl == null ? DEFAULT : ttl) - 1).build();
    }

    static Integer read(CloudEvent event) {
        Object value = event.getExtension(EXTENSION);
        if (value == null) {
            return null;
        }
        try {
            return value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
