package dev.fuseml.broker;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Steps;
import dev.fuseml.eventing.broker.DeliverySpec;
import dev.fuseml.eventing.broker.Trigger;
import dev.fuseml.eventing.filter.Filter;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The triggers of the default chain on every org's broker: one per step function, each subscriber the function's
 * own URL (in one process, or a process per step, as a Knative Service per step would be), plus the control plane's
 * own subscription to every FuseML event, from which it keeps runs and apps.
 */
public final class DefaultChain {
    /** The steps in chain order, with the event type each is triggered by (from the one table, eventing's Steps). */
    public static final Map<String, String> STEPS = Steps.CHAIN.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(Steps.Step::name, Steps.Step::trigger));
    public static final List<String> ORDER = Steps.NAMES;
    /** What the serve function takes besides the chain's event, each at its own path: app-level events. */
    public static final Map<String, String> SERVE_EXTRAS = Map.of("unserve", FusemlEvents.DELETED, "protect",
            FusemlEvents.PROTECTED);

    private DefaultChain() {
    }

    /**
     * @param stepUrl      the base URL of the process that runs a step (the function is at its path)
     * @param controlPlane the control plane's URL: the run projection and the dead-letter sink are there
     */
    public static List<Trigger> triggers(Function<String, URI> stepUrl, URI controlPlane) {
        return triggers(stepUrl, controlPlane, DeliverySpec.defaults().timeout());
    }

    /** @param timeout how long each delivery attempt waits for the subscriber's answer */
    public static List<Trigger> triggers(Function<String, URI> stepUrl, URI controlPlane, Duration timeout) {
        DeliverySpec defaults = DeliverySpec.defaults();
        DeliverySpec delivery = new DeliverySpec(defaults.retry(), defaults.backoffPolicy(), defaults.backoffDelay(),
                timeout, controlPlane.resolve("/api/v1/deadletter"));
        List<Trigger> chain = new java.util.ArrayList<>();
        for (String step : ORDER) {
            chain.add(exact("fuseml-" + step, STEPS.get(step), stepUrl.apply(step).resolve("/" + step), delivery));
        }
        for (String path : List.of("unserve", "protect")) {
            chain.add(exact("fuseml-" + path, SERVE_EXTRAS.get(path), stepUrl.apply(Steps.SERVE).resolve("/" + path),
                    delivery));
        }
        chain.add(new Trigger("fuseml-runs", Trigger.ALL_NAMESPACES, new Filter.Prefix(Map.of("type",
                FusemlEvents.PREFIX)), controlPlane.resolve("/api/v1/projection"), delivery));
        return List.copyOf(chain);
    }

    private static Trigger exact(String name, String type, URI subscriber, DeliverySpec delivery) {
        return Trigger.onAttributes(name, Trigger.ALL_NAMESPACES, Map.of("type", type), subscriber, delivery);
    }
}
