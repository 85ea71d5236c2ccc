package dev.fuseml.broker.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fuseml.broker.Brokers;
import dev.fuseml.broker.TriggerRegistry;
import dev.fuseml.broker.TriggerRegistry.TriggerStatus;
import dev.fuseml.eventing.knative.Definitions;
import dev.fuseml.eventing.knative.References;
import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.kubernetes.KnativeKinds;
import dev.fuseml.org.OrgStore;
import dev.fuseml.org.kubernetes.OrgNamespaces;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Each org's Knative Broker and Triggers, in the org's namespace: applied Trigger YAML becomes Trigger resources
 * there (validated first exactly as the embedded broker validates it), and Knative runs them. The default chain's
 * Triggers are the ones config/ puts in every org's namespace; applying a Trigger of the same name replaces it in
 * that org (Kubernetes' own semantics), {@code fuseml.dev/disabled: "true"} deletes it, and deleting an override
 * puts the default back. Clients post events through the control plane ({@code EventsResource}), since the broker
 * ingress answers inside the cluster only.
 */
public class KnativeBrokers implements Brokers {
    /** Marks a Trigger applied over a default one, so that listing tells the two apart. */
    static final String OVERRIDES = "fuseml.dev/overrides-default";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** On a cluster Knative resolves {@code ref}s itself; validation only needs them to be well formed. */
    private static final References ANY = (kind, name, namespace) -> Optional.of(URI.create("http://" + name + "."
            + namespace + ".svc.cluster.local"));

    private final KubernetesClient client;
    private final OrgStore orgs;
    private final OrgNamespaces defaults;
    private final String defaultOrg;
    private final String systemNamespace;
    private List<String> defaultNames;

    /**
     * @param defaults        what config/ makes in an org's namespace (the default chain's Triggers)
     * @param systemNamespace where FuseML's own Services are: a {@code ref} to one of them without a namespace
     *                        means this one, not the org's
     */
    public KnativeBrokers(KubernetesClient client, OrgStore orgs, OrgNamespaces defaults, String defaultOrg,
            String systemNamespace) {
        this.client = client;
        this.orgs = orgs;
        this.defaults = defaults;
        this.defaultOrg = defaultOrg;
        this.systemNamespace = systemNamespace;
    }

    @Override
    public URI ingress(String org) {
        return URI.create("/api/v1/orgs/" + org + "/events");
    }

    @Override
    public boolean traced() {
        return false; // Knative delivers: the run projection records what reaches it
    }

    @Override
    public void addOrg(String org) {
        // the org's namespace, Broker and default Triggers come from OrgNamespaces when the org is created
    }

    @Override
    public List<String> apply(String yaml, Predicate<String> mayChange) {
        Definitions.Parsed parsed = Definitions.parse(yaml, defaultOrg, ANY);
        Brokers.requireReachable(parsed, mayChange);
        List<String> applied = new ArrayList<>();
        for (Definitions.BrokerDefinition b : parsed.brokers()) {
            GenericKubernetesResource broker = resource(b.resource(), b.namespace());
            applied.add("broker.eventing.knative.dev/" + b.name() + " in " + b.namespace()
                    + (put(KnativeKinds.BROKER, broker) ? " created" : " configured"));
        }
        for (Definitions.TriggerDefinition t : parsed.triggers()) {
            applied.add(applyTrigger(t));
        }
        return applied;
    }

    private String applyTrigger(Definitions.TriggerDefinition t) {
        String label = "trigger.eventing.knative.dev/" + t.name() + " in " + t.namespace();
        boolean isDefault = defaultNames().contains(t.name());
        if ("true".equals(t.resource().path("metadata").path("annotations").path(TriggerRegistry.DISABLED).asText())) {
            boolean existed = !triggers(t.namespace()).withName(t.name()).delete().isEmpty();
            return label + (existed ? " deleted" : " unchanged") + " (disabled in this org"
                    + (isDefault ? "; fuseml triggers delete " + t.namespace() + " " + t.name() + " restores the "
                    + "default" : "") + ")";
        }
        GenericKubernetesResource trigger = resource(t.resource(), t.namespace());
        ObjectNode spec = (ObjectNode) JSON.valueToTree(trigger.getAdditionalProperties().get("spec"));
        inSystemNamespace(spec.path("subscriber"));
        inSystemNamespace(spec.path("delivery").path("deadLetterSink"));
        trigger.getAdditionalProperties().put("spec", JSON.convertValue(spec, Map.class));
        if (isDefault) {
            trigger.getMetadata().getAnnotations().put(OVERRIDES, "true");
        }
        return label + (put(KnativeKinds.TRIGGER, trigger) ? " created" : " configured")
                + (isDefault ? " (overrides the default chain's " + t.name() + " in this org)" : "");
    }

    /**
     * A {@code ref} to one of FuseML's Services (fuseml-register, ...) that names no namespace means FuseML's; and a
     * destination that is FuseML's gets FuseML's OIDC audience, without which the Broker would send no token and
     * FuseML would refuse the delivery (a Knative Service announces no audience of its own).
     */
    private void inSystemNamespace(JsonNode destination) {
        if (!(destination instanceof ObjectNode d)) {
            return;
        }
        JsonNode ref = d.path("ref");
        if (ref instanceof ObjectNode r && r.path("namespace").asText("").isEmpty()
                && r.path("name").asText("").startsWith("fuseml-")) {
            r.put("namespace", systemNamespace);
        }
        boolean fusemls = ref.path("name").asText("").startsWith("fuseml-")
                && systemNamespace.equals(ref.path("namespace").asText())
                || host(d.path("uri").asText("")).endsWith("." + systemNamespace + ".svc.cluster.local");
        if (fusemls && d.path("audience").asText("").isEmpty()) {
            d.put("audience", dev.fuseml.kubernetes.ClusterIdentity.AUDIENCE);
        }
    }

    private static String host(String uri) {
        try {
            String host = URI.create(uri).getHost();
            return host == null ? "" : host;
        } catch (IllegalArgumentException notAUri) {
            return "";
        }
    }

    private GenericKubernetesResource resource(JsonNode document, String namespace) {
        GenericKubernetesResource resource = JSON.convertValue(document, GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(namespace);
        if (resource.getMetadata().getAnnotations() == null) {
            resource.getMetadata().setAnnotations(new LinkedHashMap<>());
        }
        // the applier's own labels stay; Kubernetes' recommended four are added where it set none
        resource.getMetadata().setLabels(dev.fuseml.kubernetes.Labels.onto(resource.getMetadata().getLabels(),
                resource.getMetadata().getName(), dev.fuseml.kubernetes.Labels.EVENTING));
        return resource;
    }

    /** Creates or replaces; true when it was created. */
    private boolean put(ResourceDefinitionContext kind, GenericKubernetesResource resource) {
        var existing = client.genericKubernetesResources(kind).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName());
        boolean created = existing.get() == null;
        client.genericKubernetesResources(kind).inNamespace(resource.getMetadata().getNamespace()).resource(resource)
                .createOr(op -> op.update());
        return created;
    }

    @Override
    public boolean deleteTrigger(String org, String name) {
        Optional<GenericKubernetesResource> original = defaultTriggers(org).stream()
                .filter(d -> d.getMetadata().getName().equals(name)).findFirst();
        GenericKubernetesResource current = triggers(org).withName(name).get();
        if (original.isPresent()) {
            // a default trigger is never gone for good: deleting an override (or a disabling) restores it
            boolean overridden = current == null || current.getMetadata().getAnnotations() != null
                    && current.getMetadata().getAnnotations().containsKey(OVERRIDES);
            if (current != null) {
                triggers(org).withName(name).delete();
            }
            put(KnativeKinds.TRIGGER, original.get());
            return overridden;
        }
        return current != null && !triggers(org).withName(name).delete().isEmpty();
    }

    @Override
    public List<TriggerStatus> triggers() {
        List<TriggerStatus> out = new ArrayList<>();
        List<String> defaultNames = defaultNames();
        for (OrgStore.Org org : orgs.list()) {
            List<GenericKubernetesResource> present = triggers(org.name()).list().getItems();
            for (GenericKubernetesResource t : present) {
                out.add(status(t, defaultNames.contains(t.getMetadata().getName())));
            }
            for (String name : defaultNames) {
                if (present.stream().noneMatch(t -> t.getMetadata().getName().equals(name))) {
                    out.add(new TriggerStatus(org.name(), name, "default", true, null, "", Map.of(), false,
                            "disabled in this org: fuseml triggers delete " + org.name() + " " + name
                                    + " restores it"));
                }
            }
        }
        return out;
    }

    private static TriggerStatus status(GenericKubernetesResource t, boolean defaultName) {
        JsonNode resource = JSON.valueToTree(t);
        JsonNode spec = resource.path("spec");
        boolean override = resource.path("metadata").path("annotations").has(OVERRIDES);
        JsonNode filter = spec.has("filters") ? spec.path("filters") : spec.path("filter");
        JsonNode subscriber = spec.path("subscriber");
        String target = subscriber.has("uri") ? subscriber.path("uri").asText() : subscriber.path("ref").path("kind")
                .asText() + " " + subscriber.path("ref").path("namespace").asText(t.getMetadata().getNamespace())
                + "/" + subscriber.path("ref").path("name").asText();
        Optional<Map<String, Object>> ready = KnativeKinds.condition(t, "Ready");
        boolean isReady = ready.map(c -> "True".equals(c.get("status"))).orElse(false);
        String reason = ready.map(c -> isReady ? "" : c.getOrDefault("reason", "") + ": "
                + c.getOrDefault("message", "")).orElse("Knative has not reconciled it yet (kubectl describe trigger "
                + t.getMetadata().getName() + " -n " + t.getMetadata().getNamespace() + ")");
        if (defaultName) {
            reason = (override ? "overrides the default chain's " + t.getMetadata().getName() : "the default chain")
                    + (reason.isEmpty() ? "" : "; " + reason);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> delivery = JSON.convertValue(spec.path("delivery").isMissingNode()
                ? JSON.createObjectNode() : spec.path("delivery"), Map.class);
        return new TriggerStatus(t.getMetadata().getNamespace(), t.getMetadata().getName(),
                spec.path("broker").asText(), defaultName && !override, filter.isMissingNode() ? null : filter,
                target, delivery, isReady, reason);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> triggers(String org) {
        return client.genericKubernetesResources(KnativeKinds.TRIGGER).inNamespace(org);
    }

    private List<GenericKubernetesResource> defaultTriggers(String org) {
        try {
            return defaults.defaultTriggers(org);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default chain's Trigger names, from config/'s template (the same for every org: read once). */
    private synchronized List<String> defaultNames() {
        if (defaultNames == null) {
            defaultNames = defaultTriggers(defaultOrg).stream().map(t -> t.getMetadata().getName()).toList();
        }
        return defaultNames;
    }
}
