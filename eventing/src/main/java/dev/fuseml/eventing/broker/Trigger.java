package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * A Knative Trigger: events of broker {@code default} in {@code namespace} whose attributes match
 * {@code filterAttributes} (exact match on every entry, Knative's {@code spec.filter.attributes}) are delivered to
 * {@code subscriber}.
 */
public record Trigger(String name, String namespace, Map<String, String> filterAttributes, URI subscriber,
        DeliverySpec delivery) {

    /** Namespace wildcard for the built-in chain, which every org's broker carries. */
    public static final String ALL_NAMESPACES = "*";

    public Trigger {
        Objects.requireNonNull(name, "trigger name");
        Objects.requireNonNull(subscriber, "spec.subscriber.uri");
        filterAttributes = filterAttributes == null ? Map.of() : Map.copyOf(filterAttributes);
        delivery = delivery == null ? DeliverySpec.defaults() : delivery;
    }

    public boolean appliesTo(String eventNamespace) {
        return ALL_NAMESPACES.equals(namespace) || namespace.equals(eventNamespace);
    }

    public boolean matches(CloudEvent event) {
        for (Map.Entry<String, String> want : filterAttributes.entrySet()) {
            if (!want.getValue().equals(attribute(event, want.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** A context attribute or extension as a string, as Knative's filters compare them. */
    static String attribute(CloudEvent event, String name) {
        Object value;
        try {
            value = event.getAttribute(name);
        } catch (RuntimeException notAContextAttribute) {
            value = null;
        }
        if (value == null) {
            value = event.getExtension(name);
        }
        return value == null ? null : value.toString();
    }
}
