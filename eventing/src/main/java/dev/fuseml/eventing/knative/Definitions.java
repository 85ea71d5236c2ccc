package dev.fuseml.eventing.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.broker.BackoffPolicy;
import dev.fuseml.eventing.broker.Broker;
import dev.fuseml.eventing.broker.DeliverySpec;
import dev.fuseml.eventing.broker.Trigger;
import dev.fuseml.eventing.filter.Filters;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Knative {@code Broker} and {@code Trigger} resources ({@code eventing.knative.dev/v1}) read from YAML, so that the
 * same files apply to the embedded broker and to a cluster. Each is checked against its CRD's schema and then by
 * the rules Knative's webhook applies; every problem is reported as "KIND NAME: field: reason".
 */
public final class Definitions {
    public static final String API_VERSION = "eventing.knative.dev/v1";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final CrdSchema BROKER = CrdSchema.load("eventing-broker.yaml");
    private static final CrdSchema TRIGGER = CrdSchema.load("eventing-trigger.yaml");

    /** A Broker resource: its namespace's delivery defaults. */
    public record BrokerDefinition(String namespace, String name, JsonNode delivery, JsonNode resource) {
    }

    /** A Trigger resource, with its filter parsed. */
    public record TriggerDefinition(String namespace, String name, String broker, JsonNode resource) {
    }

    /** What a YAML file declares. */
    public record Parsed(List<BrokerDefinition> brokers, List<TriggerDefinition> triggers) {
    }

    /** A definition file that cannot be applied; {@link #problems()} lists every reason. */
    public static final class InvalidDefinitionException extends IllegalArgumentException {
        private final List<String> problems;

        public InvalidDefinitionException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private Definitions() {
    }

    /** Reads every document of a (multi-document) YAML text; nothing is returned unless all of them are valid. */
    public static Parsed parse(String yaml, String defaultNamespace) {
        return parse(yaml, defaultNamespace, References.NONE);
    }

    /** As {@link #parse(String, String)}, resolving Destinations' {@code ref}s with {@code references}. */
    public static Parsed parse(String yaml, String defaultNamespace, References references) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    documents.add(doc);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidDefinitionException(List.of("not valid YAML: " + e.getMessage().lines().findFirst()
                    .orElse("")));
        }
        List<String> problems = new ArrayList<>();
        List<BrokerDefinition> brokers = new ArrayList<>();
        List<TriggerDefinition> triggers = new ArrayList<>();
        if (documents.isEmpty()) {
            problems.add("the file declares nothing: give Broker or Trigger resources of " + API_VERSION);
        }
        for (int i = 0; i < documents.size(); i++) {
            JsonNode doc = documents.get(i);
            String kind = doc.path("kind").asText("");
            String name = doc.path("metadata").path("name").asText("");
            String label = (kind.isEmpty() ? "document " + (i + 1) : kind + " " + (name.isEmpty() ? "#" + (i + 1)
                    : name)) + ": ";
            int before = problems.size();
            if (!API_VERSION.equals(doc.path("apiVersion").asText())) {
                problems.add(label + "apiVersion: must be " + API_VERSION + ", got '" + doc.path("apiVersion")
                        .asText() + "'");
            }
            CrdSchema schema = switch (kind) {
                case "Broker" -> BROKER;
                case "Trigger" -> TRIGGER;
                default -> null;
            };
            if (schema == null) {
                problems.add(label + "kind: must be Broker or Trigger, got '" + kind + "'");
                continue;
            }
            if (!Names.valid(name)) {
                problems.add(label + "metadata.name: must be " + Names.RULE);
            }
            String namespace = doc.path("metadata").path("namespace").asText(defaultNamespace);
            if (!Names.valid(namespace)) {
                problems.add(label + "metadata.namespace: the org, must be " + Names.RULE);
            }
            schema.validate(doc).forEach(p -> problems.add(label + p));
            if (problems.size() > before) {
                continue;
            }
            JsonNode spec = doc.path("spec");
            try {
                if (kind.equals("Broker")) {
                    if (!Broker.DEFAULT_BROKER.equals(name)) {
                        throw new IllegalArgumentException("metadata.name: each org has one broker, named '"
                                + Broker.DEFAULT_BROKER + "'");
                    }
                    delivery(spec.path("delivery"), "spec.delivery", DeliverySpec.defaults(), references);
                    brokers.add(new BrokerDefinition(namespace, name, spec.path("delivery"), doc));
                } else {
                    String broker = spec.path("broker").asText("");
                    if (!Broker.DEFAULT_BROKER.equals(broker)) {
                        throw new IllegalArgumentException("spec.broker: must be '" + Broker.DEFAULT_BROKER
                                + "' (each org has one broker), got '" + broker + "'");
                    }
                    destination(spec.path("subscriber"), "spec.subscriber", namespace, references);
                    Filters.fromSpec(spec);
                    delivery(spec.path("delivery"), "spec.delivery", DeliverySpec.defaults(), references);
                    triggers.add(new TriggerDefinition(namespace, name, broker, doc));
                }
            } catch (IllegalArgumentException e) {
                problems.add(label + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException(problems);
        }
        return new Parsed(List.copyOf(brokers), List.copyOf(triggers));
    }

    /** The trigger to run, with delivery settings from the trigger, else its namespace's Broker, else defaults. */
    public static Trigger trigger(TriggerDefinition definition, Map<String, BrokerDefinition> brokers) {
        return trigger(definition, brokers, References.NONE);
    }

    /** As {@link #trigger(TriggerDefinition, Map)}, resolving Destinations' {@code ref}s with {@code references}. */
    public static Trigger trigger(TriggerDefinition definition, Map<String, BrokerDefinition> brokers,
            References references) {
        return trigger(definition, brokers, references, DeliverySpec.defaults());
    }

    /**
     * As {@link #trigger(TriggerDefinition, Map, References)}, with {@code defaults} under the Broker's and the
     * trigger's own delivery settings (where the embedded broker's dead-letter sink comes from, as a cluster's
     * default delivery config gives one).
     */
    public static Trigger trigger(TriggerDefinition definition, Map<String, BrokerDefinition> brokers,
            References references, DeliverySpec defaults) {
        JsonNode spec = definition.resource().path("spec");
        DeliverySpec base = defaults;
        BrokerDefinition broker = brokers.get(definition.namespace());
        if (broker != null) {
            base = delivery(broker.delivery(), "spec.delivery", base, references);
        }
        return new Trigger(definition.name(), definition.namespace(), Filters.fromSpec(spec),
                destination(spec.path("subscriber"), "spec.subscriber", definition.namespace(), references),
                delivery(spec.path("delivery"), "spec.delivery", base, references));
    }

    /**
     * A Knative Destination: {@code uri} alone (absolute), or {@code ref} resolved to its URL, to which a relative
     * {@code uri} is added, as Knative's resolver does.
     */
    static URI destination(JsonNode destination, String field, String namespace, References references) {
        JsonNode ref = destination.path("ref");
        if (ref.isMissingNode()) {
            return uri(destination.path("uri"), field + ".uri");
        }
        String kind = ref.path("kind").asText("");
        String name = ref.path("name").asText("");
        URI base = references.resolve(kind, name, ref.path("namespace").asText(namespace)).orElseThrow(() ->
                new IllegalArgumentException(field + ".ref: " + kind + " '" + name + "' cannot be resolved here: "
                        + "the embedded broker resolves FuseML's own Services (fuseml-receive, fuseml-build, "
                        + "fuseml-train, fuseml-register, fuseml-serve, fuseml-control-plane); give " + field
                        + ".uri for anything else"));
        String relative = destination.path("uri").asText("");
        if (relative.isEmpty()) {
            return base;
        }
        URI path = URI.create(relative);
        if (path.isAbsolute()) {
            throw new IllegalArgumentException(field + ".uri: with a ref, uri is a path relative to it, got '"
                    + relative + "'");
        }
        return base.resolve(relative.startsWith("/") ? relative : "/" + relative);
    }

    private static URI uri(JsonNode node, String field) {
        String text = node.asText("");
        if (text.isEmpty()) {
            throw new IllegalArgumentException(field + ": required (an absolute http:// or https:// URL)");
        }
        try {
            URI uri = new URI(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException(field + ": '" + text + "' is not an absolute http(s) URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(field + ": '" + text + "' is not a URL: " + e.getReason());
        }
    }

    /** Knative's DeliverySpec over {@code base}: the fields given replace base's. */
    static DeliverySpec delivery(JsonNode node, String field, DeliverySpec base) {
        return delivery(node, field, base, References.NONE);
    }

    static DeliverySpec delivery(JsonNode node, String field, DeliverySpec base, References references) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return base;
        }
        int retry = base.retry();
        if (node.has("retry")) {
            retry = node.get("retry").asInt();
            if (retry < 0) {
                throw new IllegalArgumentException(field + ".retry: must not be negative, got " + retry);
            }
        }
        BackoffPolicy policy = base.backoffPolicy();
        if (node.has("backoffPolicy")) {
            try {
                policy = BackoffPolicy.parse(node.get("backoffPolicy").asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ".backoffPolicy: " + e.getMessage());
            }
        }
        Duration delay = node.has("backoffDelay")
                ? DeliverySpec.parseDuration(field + ".backoffDelay", node.get("backoffDelay").asText())
                : base.backoffDelay();
        Duration timeout = node.has("timeout")
                ? DeliverySpec.parseDuration(field + ".timeout", node.get("timeout").asText()) : base.timeout();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(field + ".timeout: must be positive");
        }
        URI deadLetterSink = base.deadLetterSink();
        JsonNode dls = node.path("deadLetterSink");
        if (!dls.isMissingNode()) {
            deadLetterSink = destination(dls, field + ".deadLetterSink", "", references);
        }
        return new DeliverySpec(retry, policy, delay, timeout, deadLetterSink);
    }
}
