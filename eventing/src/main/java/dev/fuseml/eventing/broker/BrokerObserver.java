package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;

import java.time.Duration;
import java.util.List;

/** What the broker tells about each event: for traces of a run's events and for metrics. Calls must be quick. */
public interface BrokerObserver {
    BrokerObserver NONE = new BrokerObserver() {
    };

    /** An event was accepted (and logged); {@code triggers} are those it matched. */
    default void accepted(String namespace, CloudEvent event, List<String> triggers) {
    }

    /**
     * One delivery attempt ended.
     *
     * @param status  HTTP status, 0 for a transport failure
     * @param latency how long the attempt took
     * @param retried whether another attempt follows
     */
    default void attempted(String namespace, CloudEvent event, Trigger trigger, int attempt, int status,
            Duration latency, boolean retried) {
    }

    /** The trigger took the event; {@code sinceAccepted} is the ingress-to-delivery latency. */
    default void delivered(String namespace, CloudEvent event, Trigger trigger, Duration sinceAccepted) {
    }

    /** The event went to the dead-letter sink (or was dropped, without one) after its last attempt. */
    /**
     * The event was not delivered to {@code trigger} because its hop count ({@code knativebrokerttl}) ran out: a
     * trigger sends events back into a broker in a loop.
     */
    default void hopLimitReached(String namespace, CloudEvent event, Trigger trigger) {
    }

    default void deadLettered(String namespace, CloudEvent event, Trigger trigger, int status) {
    }

    /** Calls every observer in turn. */
    static BrokerObserver all(List<BrokerObserver> observers) {
        return new BrokerObserver() {
            @Override
            public void accepted(String namespace, CloudEvent event, List<String> triggers) {
                observers.forEach(o -> o.accepted(namespace, event, triggers));
            }

            @Override
            public void attempted(String namespace, CloudEvent event, Trigger trigger, int attempt, int status,
                    Duration latency, boolean retried) {
                observers.forEach(o -> o.attempted(namespace, event, trigger, attempt, status, latency, retried));
            }

            @Override
            public void delivered(String namespace, CloudEvent event, Trigger trigger, Duration sinceAccepted) {
                observers.forEach(o -> o.delivered(namespace, event, trigger, sinceAccepted));
            }

            @Override
            public void hopLimitReached(String namespace, CloudEvent event, Trigger trigger) {
                observers.forEach(o -> o.hopLimitReached(namespace, event, trigger));
            }

            @Override
            public void deadLettered(String namespace, CloudEvent event, Trigger trigger, int status) {
                observers.forEach(o -> o.deadLettered(namespace, event, trigger, status));
            }
        };
    }
}
