package dev.fuseml.eventing.broker;

import dev.fuseml.eventing.filter.Filter;
import io.cloudevents.CloudEvent;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * A Knative Trigger: events of broker {@code default} in {@code namespace} that pass {@code filter} are delivered to
 * {@code subscriber}, as {@code delivery} says.
 */
public record Trigger(String name, String namespace, Filter filter, URI subscriber, DeliverySpec delivery) {

    /** Namespace wildcard for the built-in chain, which every org's broker carries. */
    public static final String ALL_NAMESPACES = "*";

    public Trigger {
        Objects.requireNonNull(name, "trigger name");
        Objects.requireNonNull(subscriber, "spec.subscriber.uri");
        filter = filter == null ? Filter.ALL_EVENTS : filter;
        delivery = delivery == null ? DeliverySpec.defaults() : delivery;
    }

    /** A trigger with Knative's {@code spec.filter.attributes}: exact match on every entry. */
    public static Trigger onAttributes(String name, String namespace, Map<String, String> attributes, URI subscriber,
            DeliverySpec delivery) {
        return new Trigger(name, namespace, attributes.isEmpty() ? Filter.ALL_EVENTS : new Filter.Exact(attributes),
                subscriber, delivery);
    }

    public boolean appliesTo(String eventNamespace) {
        return ALL_NAMESPACES.equals(namespace) || namespace.equals(eventNamespace);
    }

    public boolean matches(CloudEvent event) {
        return filter.matches(event);
    }
}
