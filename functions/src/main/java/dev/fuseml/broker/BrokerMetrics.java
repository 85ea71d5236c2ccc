package dev.fuseml.broker;

import dev.fuseml.eventing.broker.BrokerObserver;
import dev.fuseml.eventing.broker.Trigger;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;

/** Broker metrics for Prometheus ({@code /q/metrics}): accepted, delivered, retried, dead-lettered, latency. */
@ApplicationScoped
public class BrokerMetrics implements BrokerObserver {
    private final MeterRegistry registry;

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void accepted(String namespace, CloudEvent event, List<String> triggers) {
        registry.counter("fuseml.broker.events.accepted", "namespace", namespace).increment();
    }

    @Override
    public void attempted(String namespace, CloudEvent event, Trigger trigger, int attempt, int status,
            Duration latency, boolean retried) {
        if (retried) {
            registry.counter("fuseml.broker.deliveries.retried", "trigger", trigger.name()).increment();
        }
    }

    @Override
    public void delivered(String namespace, CloudEvent event, Trigger trigger, Duration sinceAccepted) {
        registry.counter("fuseml.broker.deliveries.delivered", "trigger", trigger.name()).increment();
        Timer.builder("fuseml.broker.delivery.latency").description("from ingress to the subscriber's answer")
                .tag("trigger", trigger.name()).publishPercentileHistogram().register(registry).record(sinceAccepted);
    }

    @Override
    public void deadLettered(String namespace, CloudEvent event, Trigger trigger, int status) {
        registry.counter("fuseml.broker.deliveries.dead.lettered", "trigger", trigger.name()).increment();
    }
}
