package dev.fuseml.platform;

import dev.fuseml.FusemlConfig;
import dev.fuseml.broker.EmbeddedBroker;
import dev.fuseml.claim.ClaimStore;
import dev.fuseml.claim.LeaseReaper;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.serving.local.LocalDeployer;
import dev.fuseml.step.EventSink;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.Instance;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Starts what this process's role runs: the control plane opens the broker, and once its HTTP server listens,
 * delivers and watches leases; a process that serves brings back what it served before. What requests may reach
 * is {@link Routes}'.
 */
@ApplicationScoped
public class Lifecycle {
    private static final System.Logger LOG = System.getLogger(Lifecycle.class.getName());
    private final FusemlConfig config;
    private final Platform platform;
    private final Role role;
    private final SelfAddress self;
    private final Instance<EmbeddedBroker> broker;
    private final Instance<LocalDeployer> deployer;
    private final Instance<ClaimStore> claims;
    private final Instance<RunStore> runs;
    private final Instance<RunLog> log;
    private final Instance<EventSink> sink;
    private final Instance<dev.fuseml.train.TrainingWatch> training;
    private final Instance<dev.fuseml.org.OrgStore> orgs;
    private LeaseReaper reaper;
    private dev.fuseml.train.TrainingSweeps watching;

    public Lifecycle(FusemlConfig config, Platform platform, Role role, SelfAddress self,
            Instance<EmbeddedBroker> broker, Instance<LocalDeployer> deployer, Instance<ClaimStore> claims,
            Instance<RunStore> runs, Instance<RunLog> log, Instance<EventSink> sink,
            Instance<dev.fuseml.train.TrainingWatch> training, Instance<dev.fuseml.org.OrgStore> orgs) {
        this.training = training;
        this.orgs = orgs;
        this.config = config;
        this.platform = platform;
        this.role = role;
        this.self = self;
        this.broker = broker;
        this.deployer = deployer;
        this.claims = claims;
        this.runs = runs;
        this.log = log;
        this.sink = sink;
    }

    void onStart(@Observes StartupEvent event) throws IOException {
        platform.requireValid();
        LOG.log(System.Logger.Level.INFO, "fuseml runs " + role.name() + " on the " + config.platform()
                + " platform, data in " + config.dataDir());
        if (role.controlPlane()) {
            orgs.get().create(config.defaultOrg()); // on a cluster, config/70 made its namespace
        }
        if (embeddedBroker()) {
            broker.get().open();
        }
        if (role.runs(dev.fuseml.eventing.Steps.SERVE) && platform.wiring().servesLocally()) { // its servers come back
            deployer.get().restore();
        }
    }

    void onHttp(@ObservesAsync HttpServerStart event) throws IOException {
        if (!role.controlPlane()) {
            return;
        }
        URI controlPlane = URI.create(self.url());
        if (embeddedBroker()) {
            broker.get().start(step -> stepUrl(step, controlPlane), controlPlane);
        }
        reaper = new LeaseReaper(claims.get(), runs.get(), log.get(), sink.get());
        Duration every = Duration.ofMillis(Math.max(200, config.lease().toMillis() / 4));
        reaper.start(every, config.dataDir().resolve("claims").resolve("local-owner"), role.runsSteps());
        watching = dev.fuseml.train.TrainingSweeps.start(training.get(), Duration.ofSeconds(15));
    }

    /** The control plane opens the embedded broker; on a cluster each org's events go to its Knative Broker. */
    private boolean embeddedBroker() {
        return role.controlPlane() && platform.wiring().embeddedBroker();
    }

    /** Where a step's function is: this process, or {@code fuseml.steps.STEP} when the control plane is alone. */
    private URI stepUrl(String step, URI controlPlane) {
        return java.util.Optional.ofNullable(config.steps().get(step)).map(URI::create).orElseGet(() -> {
                    if (!role.runs(step)) {
                        throw new IllegalStateException("the control plane runs without steps: set fuseml.steps."
                                + step + " to the URL of the process that runs " + step);
                    }
                    return controlPlane;
                });
    }

    void onStop(@Observes ShutdownEvent event) throws IOException {
        if (watching != null) {
            watching.close();
        }
        if (reaper != null) {
            reaper.close();
        }
        if (embeddedBroker()) {
            broker.get().close();
        }
    }
}
