package dev.fuseml.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.broker.Trigger;
import dev.fuseml.eventing.knative.Definitions;
import dev.fuseml.org.OrgStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The broker's triggers: the default chain, plus the Broker and Trigger resources users apply in Knative's schema.
 * Applied resources are kept as YAML files under {@code definitions/} and loaded again at start-up.
 * <p>
 * A trigger applied in an org with the name of a default chain's trigger overrides it in that org only: the default
 * one goes on in every other org. With the annotation {@value #DISABLED} set to "true" the override delivers
 * nothing, which disables that step of the default chain in the org. Deleting the override restores the default.
 */
@ApplicationScoped
public class TriggerRegistry {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    public static final String DISABLED = "fuseml.dev/disabled";

    /** A trigger as {@code fuseml triggers} lists it. */
    public record TriggerStatus(String namespace, String name, String broker, boolean builtIn, JsonNode filter,
            String subscriber, Map<String, Object> delivery, boolean ready, String reason) {
    }

    private final Path dir;
    private final OrgStore orgs;
    private final String defaultOrg;
    private final Map<String, Definitions.BrokerDefinition> brokers = new LinkedHashMap<>();
    private final Map<String, Definitions.TriggerDefinition> triggers = new LinkedHashMap<>();
    private List<Trigger> builtIn = List.of();
    private dev.fuseml.eventing.knative.References references = dev.fuseml.eventing.knative.References.NONE;

    public TriggerRegistry(FusemlConfig config, OrgStore orgs) {
        this.dir = config.dataDir().resolve("definitions");
        this.orgs = orgs;
        this.defaultOrg = config.defaultOrg();
    }

    /** Loads the applied definitions; a file that no longer validates is reported and left out. */
    public synchronized void load(List<Trigger> defaultChain) {
        load(defaultChain, dev.fuseml.eventing.knative.References.NONE);
    }

    /** As {@link #load(List)}, resolving Destinations' {@code ref}s (FuseML's own Services) with {@code refs}. */
    public synchronized void load(List<Trigger> defaultChain, dev.fuseml.eventing.knative.References refs) {
        builtIn = List.copyOf(defaultChain);
        references = refs;
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try {
                    remember(Definitions.parse(Files.readString(file), defaultOrg, references));
                } catch (IllegalArgumentException e) {
                    System.getLogger(TriggerRegistry.class.getName()).log(System.Logger.Level.ERROR,
                            "ignoring " + file + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Validates every resource of {@code yaml}, then stores and applies them all (or none). Returns what was
     * applied, as kubectl says it.
     */
    public List<String> apply(String yaml) {
        return apply(yaml, org -> true);
    }

    /**
     * As {@link #apply(String)}, for someone who may change only the orgs {@code mayChange} accepts: a resource of
     * any other org refuses the whole file with a {@link SecurityException}.
     */
    public List<String> apply(String yaml, java.util.function.Predicate<String> mayChange) {
        // Parsed outside the lock: a large or slow file holds up no one else's apply.
        Definitions.Parsed parsed = Definitions.parse(yaml, defaultOrg, currentReferences());
        Brokers.requireReachable(parsed, mayChange);
        return store(parsed);
    }

    private synchronized dev.fuseml.eventing.knative.References currentReferences() {
        return references;
    }

    private synchronized List<String> store(Definitions.Parsed parsed) {
        List<String> applied = new ArrayList<>();
        for (Definitions.BrokerDefinition b : parsed.brokers()) {
            applied.add("broker.eventing.knative.dev/" + b.name() + " in " + b.namespace() + (store("broker",
                    b.namespace(), b.name(), b.resource()) ? " created" : " configured"));
        }
        for (Definitions.TriggerDefinition t : parsed.triggers()) {
            applied.add("trigger.eventing.knative.dev/" + t.name() + " in " + t.namespace() + (store("trigger",
                    t.namespace(), t.name(), t.resource()) ? " created" : " configured")
                    + (isBuiltIn(t.name()) ? " (overrides the default chain's " + t.name() + " in this org)" : ""));
        }
        remember(parsed);
        return applied;
    }

    public synchronized boolean delete(String namespace, String name) {
        boolean existed = triggers.remove(namespace + "/" + name) != null;
        try {
            Files.deleteIfExists(file("trigger", namespace, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return existed;
    }

    /** The triggers the broker runs: the default chain first (where not overridden), then the applied ones. */
    public synchronized List<Trigger> active() {
        List<Trigger> all = new ArrayList<>(builtInActive());
        for (Definitions.TriggerDefinition t : triggers.values()) {
            if (!disabled(t)) {
                all.add(Definitions.trigger(t, brokers, references, userDefaults()));
            }
        }
        return all;
    }

    /**
     * The default chain's triggers as they run: on every org's broker, except that one an org overrides runs in
     * each other org (one copy per org) and not in that one.
     */
    public synchronized List<Trigger> builtInActive() {
        List<Trigger> out = new ArrayList<>();
        for (Trigger b : builtIn) {
            Set<String> overriddenIn = overrides(b.name());
            if (overriddenIn.isEmpty()) {
                out.add(b);
                continue;
            }
            for (dev.fuseml.org.OrgStore.Org org : orgs.list()) {
                if (!overriddenIn.contains(org.name())) {
                    out.add(new Trigger(b.name(), org.name(), b.filter(), b.subscriber(), b.delivery()));
                }
            }
        }
        return out;
    }

    /** The orgs where the default trigger {@code name} is overridden. */
    private Set<String> overrides(String name) {
        Set<String> orgsWith = new java.util.TreeSet<>();
        triggers.values().stream().filter(t -> t.name().equals(name)).forEach(t -> orgsWith.add(t.namespace()));
        return orgsWith;
    }

    /**
     * What an org's own triggers get where neither they nor the org's Broker say otherwise: the default chain's
     * delivery, with the control plane's dead-letter sink, so that an event a user's step never takes fails its run
     * with the cause instead of leaving it waiting.
     */
    private dev.fuseml.eventing.broker.DeliverySpec userDefaults() {
        return builtIn.isEmpty() ? dev.fuseml.eventing.broker.DeliverySpec.defaults() : builtIn.get(0).delivery();
    }

    private boolean isBuiltIn(String name) {
        return builtIn.stream().anyMatch(b -> b.name().equals(name));
    }

    private static boolean disabled(Definitions.TriggerDefinition t) {
        return "true".equals(t.resource().path("metadata").path("annotations").path(DISABLED).asText());
    }

    public synchronized List<TriggerStatus> list() {
        List<TriggerStatus> out = new ArrayList<>();
        for (Trigger t : builtIn) {
            Set<String> overriddenIn = overrides(t.name());
            out.add(new TriggerStatus("*", t.name(), "default", true, describe(t.filter()), t.subscriber().toString(),
                    delivery(t), true, "the default chain, on every org's broker" + (overriddenIn.isEmpty() ? ""
                            : "; overridden in " + String.join(", ", overriddenIn))));
        }
        for (Definitions.TriggerDefinition d : triggers.values()) {
            Trigger t = Definitions.trigger(d, brokers, references, userDefaults());
            JsonNode spec = d.resource().path("spec");
            boolean ready = orgs.exists(d.namespace());
            String reason = ready ? "Ready" : "BrokerDoesNotExist: create org '" + d.namespace() + "'";
            if (isBuiltIn(d.name())) {
                reason += disabled(d) ? "; disables the default chain's " + d.name() + " in this org"
                        : "; overrides the default chain's " + d.name() + " in this org";
            }
            out.add(new TriggerStatus(d.namespace(), d.name(), d.broker(), false,
                    spec.has("filters") ? spec.get("filters") : spec.path("filter"), t.subscriber().toString(),
                    delivery(t), ready, reason));
        }
        return out;
    }

    /** A built-in trigger's filter as Knative writes it ({@code filter.attributes}, or a {@code filters} dialect). */
    private static JsonNode describe(dev.fuseml.eventing.filter.Filter filter) {
        if (filter instanceof dev.fuseml.eventing.filter.Filter.Exact exact) {
            return YAML.valueToTree(Map.of("attributes", exact.attributes()));
        }
        if (filter instanceof dev.fuseml.eventing.filter.Filter.Prefix prefix) {
            return YAML.valueToTree(List.of(Map.of("prefix", prefix.attributes())));
        }
        return YAML.valueToTree(Map.of("all", "events"));
    }

    private static Map<String, Object> delivery(Trigger t) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("retry", t.delivery().retry());
        d.put("backoffPolicy", t.delivery().backoffPolicy().name().toLowerCase());
        d.put("backoffDelay", t.delivery().backoffDelay().toString());
        d.put("timeout", t.delivery().timeout().toString());
        if (t.delivery().deadLetterSink() != null) {
            d.put("deadLetterSink", t.delivery().deadLetterSink().toString());
        }
        return d;
    }

    private void remember(Definitions.Parsed parsed) {
        parsed.brokers().forEach(b -> brokers.put(b.namespace(), b));
        parsed.triggers().forEach(t -> triggers.put(t.namespace() + "/" + t.name(), t));
    }

    /** Writes the resource; true when it is new. */
    private boolean store(String kind, String namespace, String name, JsonNode resource) {
        Path file = file(kind, namespace, name);
        boolean created = !Files.exists(file);
        try {
            Files.createDirectories(dir);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            YAML.writeValue(tmp.toFile(), resource);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return created;
    }

    private Path file(String kind, String namespace, String name) {
        return dir.resolve(kind + "." + namespace + "." + name + ".yaml");
    }
}
