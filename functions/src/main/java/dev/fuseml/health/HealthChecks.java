package dev.fuseml.health;

import dev.fuseml.FusemlConfig;
import dev.fuseml.broker.Brokers;
import dev.fuseml.platform.Platform;
import dev.fuseml.platform.Role;
import jakarta.enterprise.context.ApplicationScoped;
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
