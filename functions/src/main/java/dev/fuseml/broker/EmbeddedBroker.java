package dev.fuseml.broker;

import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.broker.Broker;
import dev.fuseml.eventing.broker.BrokerIngress;
import dev.fuseml.org.OrgStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * The broker inside the orchestrator process, with its ingress on its own port. Triggers point at the functions'
 * HTTP endpoints, so every step is reached over HTTP exactly as Knative would reach it.
 */
@ApplicationScoped
public class EmbeddedBroker implements BrokerAddress {
    /** Fired once the broker delivers: the chain is live and interrupted work can be resumed. */
    public record Ready(URI functions) {
    }

    private final FusemlConfig config;
    private final OrgStore orgs;
    private final TriggerRegistry registry;
    private final Event<Ready> ready;
    private Broker broker;
    private BrokerIngress ingress;

    private final EventTrace trace;
    private final BrokerMetrics metrics;

    public EmbeddedBroker(FusemlConfig config, OrgStore orgs, TriggerRegistry registry, EventTrace trace,
            BrokerMetrics metrics, Event<Ready> ready) {
        this.config = config;
        this.orgs = orgs;
        this.registry = registry;
        this.trace = trace;
        this.metrics = metrics;
        this.ready = ready;
    }

    void onStart(@Observes StartupEvent event) throws IOException {
        broker = new Broker(config.dataDir().resolve("broker"));
        broker.observe(dev.fuseml.eventing.broker.BrokerObserver.all(java.util.List.of(trace, metrics)));
        orgs.create(config.defaultOrg());
        orgs.list().forEach(org -> broker.addNamespace(org.name()));
        ingress = new BrokerIngress(broker, config.host(), config.brokerPort()).start();
    }

    /** Triggers need the functions' port, known only once the HTTP server listens. */
    void onHttp(@ObservesAsync HttpServerStart event) {
        int port = event.options().getPort();
        if (port <= 0) {
            port = ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class);
        }
        URI functions = URI.create("http://" + config.host() + ":" + port + "/");
        registry.load(functions);
        broker.setTriggers(registry.active());
        try {
            broker.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replay the broker's event log", e);
        }
        ready.fire(new Ready(functions));
    }

    void onStop(@Observes ShutdownEvent event) throws IOException {
        if (ingress != null) {
            ingress.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Applies Knative Broker and Trigger resources; all or none. */
    public java.util.List<String> apply(String yaml) {
        java.util.List<String> applied = registry.apply(yaml);
        broker.setTriggers(registry.active());
        return applied;
    }

    public boolean deleteTrigger(String namespace, String name) {
        boolean deleted = registry.delete(namespace, name);
        broker.setTriggers(registry.active());
        return deleted;
    }

    public void addOrg(String org) {
        broker.addNamespace(org);
    }

    @Override
    public URI ingress(String org) {
        return ingress.url(org);
    }

    public int port() {
        return ingress.port();
    }

    public Broker broker() {
        return broker;
    }
}
