package dev.fuseml.health;

import dev.fuseml.FusemlConfig;
import dev.fuseml.broker.Brokers;
import dev.fuseml.platform.Platform;
import dev.fuseml.platform.Role;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;

/** Binds the checks to what this process runs (its {@link Role}): the control plane, a step, or both. */
@ApplicationScoped
public class HealthChecks {
    @Produces
    @Liveness
    @ApplicationScoped
    HealthCheck brokerWriter(Role role, Instance<Brokers> brokers) {
        if (!role.controlPlane()) {
            return new BrokerWriterCheck("none (a step function: events go to $K_SINK)", Optional::empty);
        }
        Brokers chosen = brokers.get();
        return new BrokerWriterCheck(chosen.kind(), chosen::trouble);
    }

    @Produces
    @Readiness
    @ApplicationScoped
    HealthCheck dataDir(FusemlConfig config) {
        return new DataDirCheck(config.dataDir());
    }

    /**
     * Asks the readiness checks once as the application starts, on a thread of their own: a step function's first
     * probe would otherwise pay for the HTTP client's start (its TLS defaults, a selector thread) and the first
     * connection to the control plane, about 70 ms of a cold start here. Startup observers run before the HTTP
     * server opens its socket, so this overlaps with that instead of delaying Knative's first probe.
     */
    void askEarly(@Observes StartupEvent start, Role role, @Readiness Instance<HealthCheck> checks) {
        if (role.controlPlane()) {
            return; // its checks are local
        }
        Thread early = new Thread(() -> checks.forEach(HealthCheck::call), "fuseml-readiness-early");
        early.setDaemon(true);
        early.start();
    }

    @Produces
    @Readiness
    @ApplicationScoped
    HealthCheck controlPlane(Role role, Platform platform) {
        if (role.controlPlane()) {
            return () -> HealthCheckResponse.named(ControlPlaneCheck.NAME).up()
                    .withData("controlPlane", "this process").build();
        }
        return new ControlPlaneCheck(platform::controlPlaneUrl);
    }
}
