package dev.fuseml.health;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Liveness: the embedded broker's log writer thread is alive. Without it no event is accepted again until the process
 * restarts, which is what a failed liveness probe does. On a cluster the Knative Broker is not in this process, and a
 * step function runs no broker: nothing to check, so the check is UP with what it looked at.
 */
public final class BrokerWriterCheck implements HealthCheck {
    public static final String NAME = "broker-log-writer";
    /** The broker's trouble when there is one; empty when it writes (or when this process runs no broker). */
    private final Supplier<Optional<String>> trouble;
    private final String broker;

    public BrokerWriterCheck(String broker, Supplier<Optional<String>> trouble) {
        this.broker = broker;
        this.trouble = trouble;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<String> problem = trouble.get();
        return HealthCheckResponse.named(NAME).status(problem.isEmpty()).withData("broker", broker)
                .withData("problem", problem.orElse("none")).build();
    }
}
