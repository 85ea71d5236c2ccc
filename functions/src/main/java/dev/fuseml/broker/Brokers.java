package dev.fuseml.broker;

import java.net.URI;
import java.util.List;
import java.util.function.Predicate;

/**
 * The platform's brokers, as the control plane's API sees them: where a client sends an org's events, and which
 * Triggers each org's broker runs. The embedded broker on one machine ({@link EmbeddedBroker}); Knative Brokers and
 * Trigger resources on a cluster ({@code broker/kubernetes/KnativeBrokers}). {@code Platform} chooses one.
 */
public interface Brokers {
    /**
     * Where a client of the control plane posts an org's events: an absolute URL, or a path on the control plane
     * (resolved against its URL) where the broker itself is not reachable from outside.
     */
    URI ingress(String org);

    /** Makes the broker side of a new org (its triggers' copies, or nothing where the org's namespace has them). */
    void addOrg(String org);

    /** Every org's triggers, the default chain's included, with whether each is ready. */
    List<TriggerRegistry.TriggerStatus> triggers();

    /**
     * Validates every Broker and Trigger of {@code yaml}, then applies them all (or none). Returns what was applied,
     * as kubectl says it.
     *
     * @throws SecurityException naming the org when a resource is of an org {@code mayChange} refuses
     * @throws dev.fuseml.eventing.knative.Definitions.InvalidDefinitionException listing every problem
     */
    List<String> apply(String yaml, Predicate<String> mayChange);

    /** Deletes an applied trigger (a default one comes back); false when there was none of that name. */
    boolean deleteTrigger(String org, String name);

    /**
     * Whether these brokers record each event and delivery in the {@link EventTrace} themselves (the embedded one
     * does); where not, the run projection records the events it is delivered, so {@code fuseml events} still shows
     * a run's events, without the delivery attempts Knative keeps to itself.
     */
    default boolean traced() {
        return true;
    }

    /** What runs the brokers, for {@code /q/health}: "embedded" (this process) or "knative" (the cluster's). */
    default String kind() {
        return "knative";
    }

    /** Why this process's broker cannot accept events until a restart (liveness); empty when it can. */
    default java.util.Optional<String> trouble() {
        return java.util.Optional.empty();
    }

    /**
     * Refuses the whole of {@code parsed} when one of its resources is of an org {@code mayChange} refuses: a file
     * applies to the orgs its applier reaches, or not at all.
     */
    static void requireReachable(dev.fuseml.eventing.knative.Definitions.Parsed parsed, Predicate<String> mayChange) {
        java.util.stream.Stream.concat(parsed.brokers().stream()
                        .map(dev.fuseml.eventing.knative.Definitions.BrokerDefinition::namespace),
                parsed.triggers().stream().map(dev.fuseml.eventing.knative.Definitions.TriggerDefinition::namespace))
                .distinct().filter(mayChange.negate()).findFirst().ifPresent(org -> {
                    throw new SecurityException("nothing was applied: the file has resources of org '" + org
                            + "', which your token does not reach (set metadata.namespace to your org)");
                });
    }
}
