package dev.fuseml.broker;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.broker.DeliverySpec;
import dev.fuseml.eventing.broker.Trigger;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The triggers of the default chain, one per function, as Knative Triggers on every org's broker. Each subscriber
 * is the function's own path, as each would be its own Knative Service on a cluster.
 */
public final class DefaultChain {
    private DefaultChain() {
    }

    /** {@code functions} is where the functions answer, {@code deadLetters} where undeliverable events go. */
    public static List<Trigger> triggers(URI functions, URI deadLetters) {
        DeliverySpec delivery = DeliverySpec.defaults().withDeadLetterSink(deadLetters);
        return List.of(
                trigger("receive", FusemlEvents.PUSH, functions, delivery),
                trigger("build", FusemlEvents.RECEIVED, functions, delivery),
                trigger("train", FusemlEvents.BUILT, functions, delivery),
                trigger("register", FusemlEvents.TRAINED, functions, delivery),
                trigger("serve", FusemlEvents.REGISTERED, functions, delivery),
                trigger("served", FusemlEvents.SERVED, functions, delivery),
                trigger("failed", FusemlEvents.FAILED, functions, delivery));
    }

    private static Trigger trigger(String function, String type, URI functions, DeliverySpec delivery) {
        return Trigger.onAttributes("fuseml-" + function, Trigger.ALL_NAMESPACES, Map.of("type", type),
                functions.resolve("/" + function), delivery);
    }
}
