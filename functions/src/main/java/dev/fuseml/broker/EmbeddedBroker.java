package dev.fuseml.broker;

import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.broker.Broker;
import dev.fuseml.eventing.broker.BrokerIngress;
import dev.fuseml.eventing.broker.BrokerObserver;
import dev.fuseml.eventing.broker.Trigger;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.org.OrgStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The broker inside the control plane's process, with its ingress on its own port (kept across restarts, so that
 * functions configured with its URL find it again). Triggers point at the functions' HTTP endpoints, so every step
 * is reached over HTTP exactly as Knative would reach it.
 */
@ApplicationScoped
@jakarta.enterprise.inject.Typed(EmbeddedBroker.class) // as Brokers, Platform produces the platform's choice
public class EmbeddedBroker implements Brokers {
    private final FusemlConfig config;
    private final OrgStore orgs;
    private final TriggerRegistry registry;
    private final EventTrace trace;
    private final BrokerMetrics metrics;
    private final Authenticator auth;
    private volatile Set<Trigger> defaults = Set.of();
    /** Where FuseML's own functions and control plane are (scheme, host and port): deliveries there carry a token. */
    private volatile Set<String> fusemlAddresses = Set.of();
    private volatile Broker broker;
    private BrokerIngress ingress;

    public EmbeddedBroker(FusemlConfig config, OrgStore orgs, TriggerRegistry registry, EventTrace trace,
            BrokerMetrics metrics, Authenticator auth) {
        this.auth = auth;
        this.config = config;
        this.orgs = orgs;
        this.registry = registry;
        this.trace = trace;
        this.metrics = metrics;
    }

    /** Opens the ingress (events are logged, not yet delivered). */
    public void open() throws IOException {
        broker = new Broker(config.dataDir().resolve("broker"));
        broker.observe(BrokerObserver.all(List.of(trace, metrics)));
        broker.guard(new BrokerAuth(auth, () -> defaults, () -> fusemlAddresses));
        orgs.create(config.defaultOrg());
        orgs.list().forEach(org -> broker.addNamespace(org.name()));
        Path portFile = config.dataDir().resolve("broker").resolve("ingress.port");
        int port = config.brokerPort();
        if (port == 0 && Files.isRegularFile(portFile)) {
            port = Integer.parseInt(Files.readString(portFile).trim());
        }
        try {
            ingress = new BrokerIngress(broker, config.host(), port).start();
        } catch (IOException e) {
            if (port == 0 || config.brokerPort() != 0) {
                throw e;
            }
            ingress = new BrokerIngress(broker, config.host(), 0).start(); // the old port is taken
        }
        Files.writeString(portFile, Integer.toString(ingress.port()));
    }

    /** Delivers: the default chain's subscribers are where {@code stepUrl} says, the control plane at its URL. */
    public void start(Function<String, URI> stepUrl, URI controlPlane) throws IOException {
        List<Trigger> chain = DefaultChain.triggers(stepUrl, controlPlane, config.deliveryTimeout());
        Set<String> addresses = new java.util.HashSet<>();
        addresses.add(address(controlPlane));
        DefaultChain.ORDER.forEach(step -> addresses.add(address(stepUrl.apply(step))));
        fusemlAddresses = Set.copyOf(addresses);
        // Knative Destinations may name FuseML's own Services by ref, as on a cluster
        registry.load(chain, (kind, name, namespace) -> {
            if (!"Service".equals(kind)) {
                return java.util.Optional.empty();
            }
            if (name.equals("fuseml-control-plane")) {
                return java.util.Optional.of(controlPlane.resolve("/"));
            }
            return DefaultChain.ORDER.stream().filter(step -> name.equals("fuseml-" + step)).findFirst()
                    .map(step -> stepUrl.apply(step).resolve("/"));
        });
        refresh();
        broker.start();
    }

    /** The broker runs the registry's triggers; the default chain's own (as they run now) get the system token. */
    private synchronized void refresh() {
        defaults = Set.copyOf(registry.builtInActive());
        broker.setTriggers(registry.active());
    }

    private static String address(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    public void close() throws IOException {
        if (ingress != null) {
            ingress.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Applies Knative Broker and Trigger resources; all or none. */
    @Override
    public List<TriggerRegistry.TriggerStatus> triggers() {
        return registry.list();
    }

    @Override
    public List<String> apply(String yaml, java.util.function.Predicate<String> mayChange) {
        List<String> applied = registry.apply(yaml, mayChange);
        refresh();
        return applied;
    }

    @Override
    public boolean deleteTrigger(String namespace, String name) {
        boolean deleted = registry.delete(namespace, name);
        refresh();
        return deleted;
    }

    @Override
    public void addOrg(String org) {
        broker.addNamespace(org);
        refresh(); // a default trigger overridden in some org runs in this new one as its own copy
    }

    @Override
    public URI ingress(String org) {
        return ingress.url(org);
    }

    @Override
    public String kind() {
        return "embedded";
    }

    /** Not yet opened is no trouble (the process is starting); a broker whose log writer ended is. */
    @Override
    public java.util.Optional<String> trouble() {
        Broker current = broker;
        return current == null ? java.util.Optional.empty() : current.writerTrouble();
    }

    public int port() {
        return ingress.port();
    }
}
