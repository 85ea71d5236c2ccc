package dev.fuseml.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fuseml.broker.DefaultChain;
import dev.fuseml.eventing.broker.Trigger;
import dev.fuseml.eventing.knative.CrdSchema;
import dev.fuseml.eventing.knative.Definitions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config/, what {@code kubectl apply -f config/} takes: every Knative resource against its CRD's schema (as the API
 * server validates it), every core kind against fabric8's typed model with no field it does not know, and the org's
 * Triggers against the default chain the embedded broker runs. No cluster is involved.
 */
class ConfigManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path CONFIG = Path.of("..", "config");
    private static final Map<String, Class<?>> CORE = Map.of("v1/Namespace", Namespace.class, "v1/ServiceAccount",
            ServiceAccount.class, "v1/ConfigMap", ConfigMap.class, "v1/PersistentVolumeClaim",
            PersistentVolumeClaim.class, "v1/Service", Service.class, "apps/v1/Deployment", Deployment.class,
            "rbac.authorization.k8s.io/v1/ClusterRole", io.fabric8.kubernetes.api.model.rbac.ClusterRole.class,
            "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
            io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class,
            "rbac.authorization.k8s.io/v1/RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class,
            "rbac.authorization.k8s.io/v1/Role", io.fabric8.kubernetes.api.model.rbac.Role.class);
    private static final Map<String, String> CRDS = Map.of("serving.knative.dev/v1/Service", "serving-service.yaml",
            "eventing.knative.dev/v1/Broker", "eventing-broker.yaml", "eventing.knative.dev/v1/Trigger",
            "eventing-trigger.yaml");

    private static List<JsonNode> documents() throws IOException {
        List<JsonNode> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(CONFIG)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc != null && !doc.isEmpty()) {
                            all.add(doc);
                        }
                    }
                }
            }
        }
        return all;
    }

    private static String kindOf(JsonNode doc) {
        return doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    }

    /** What is wrong with one manifest: its schema's or typed model's complaints, or that nothing checks its kind. */
    static List<String> problems(JsonNode doc) {
        String kind = kindOf(doc);
        String name = kind + " " + doc.path("metadata").path("name").asText();
        List<String> problems = new ArrayList<>();
        if (CRDS.containsKey(kind)) {
            CrdSchema.load(CRDS.get(kind)).validate(doc).forEach(p -> problems.add(name + ": " + p));
        } else if (CORE.containsKey(kind)) {
            Object typed = YAML.convertValue(doc, CORE.get(kind));
            unknownFields(typed, name, problems);
        } else {
            problems.add(name + ": no schema checks this kind; add it to the test");
        }
        if (doc.path("metadata").path("name").asText().isEmpty()) {
            problems.add(name + ": metadata.name is missing");
        }
        return problems;
    }

    /** fabric8's model keeps fields it does not know in additionalProperties: any there is a typo or a wrong level. */
    private static void unknownFields(Object value, String path, List<String> problems) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?>) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": fields the Kubernetes API does not know: " + extra.keySet());
                }
            } else {
                unknownFields(field, path + "." + getter.getName().substring(3), problems);
            }
        }
    }

    @Test
    void everyManifestPassesItsSchemaOrTypedModel() throws IOException {
        List<JsonNode> docs = documents();
        assertThat(docs).hasSizeGreaterThan(10);
        List<String> problems = docs.stream().flatMap(d -> problems(d).stream()).toList();
        assertThat(problems).isEmpty();
    }

    @Test
    void theChecksCatchAFieldAtTheWrongPlaceOrMisspelt() throws IOException {
        JsonNode deployment = documents().stream().filter(d -> kindOf(d).equals("apps/v1/Deployment")).findFirst()
                .orElseThrow().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) deployment.path("spec")).put("replica", 2);
        assertThat(problems(deployment)).singleElement().asString().contains("replica");
        JsonNode service = documents().stream().filter(d -> kindOf(d).equals("serving.knative.dev/v1/Service"))
                .findFirst().orElseThrow().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) service.path("spec").path("template").path("spec")
                .path("containers").get(0)).put("imag", "x");
        assertThat(problems(service)).isNotEmpty().anyMatch(p -> p.contains("imag"));
    }

    @Test
    void everyManifestMeetsTheClusterRulesLabelsRestrictedPodsResourcesProbesAndScaleBounds() throws IOException {
        List<JsonNode> docs = documents();
        assertThat(docs).hasSizeGreaterThan(20);
        List<String> problems = docs.stream().flatMap(d -> dev.fuseml.testing.ClusterRules.problems(d).stream())
                .toList();
        assertThat(problems).as("what config/ breaks").isEmpty();
    }

    @Test
    void fusemlsOwnNamespaceEnforcesTheRestrictedStandardAndOrgNamespacesWarnOfIt() throws IOException {
        Map<String, JsonNode> namespaces = documents().stream().filter(d -> d.path("kind").asText()
                .equals("Namespace")).collect(Collectors.toMap(d -> d.at("/metadata/name").asText(), d -> d));
        assertThat(namespaces.get("fuseml-system").at("/metadata/labels/pod-security.kubernetes.io~1enforce")
                .asText()).isEqualTo("restricted");
        JsonNode org = namespaces.get("workspace").at("/metadata/labels");
        assertThat(org.path("pod-security.kubernetes.io/enforce").asText()).isEqualTo("baseline");
        assertThat(org.path("pod-security.kubernetes.io/warn").asText()).isEqualTo("restricted");
    }

    @Test
    void eachStepIsAKnativeServiceScaledToZeroThatRunsOnlyThatStep() throws IOException {
        Map<String, JsonNode> services = documents().stream()
                .filter(d -> kindOf(d).equals("serving.knative.dev/v1/Service"))
                .collect(Collectors.toMap(d -> d.path("metadata").path("name").asText(), Function.identity()));
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(DefaultChain.ORDER.stream()
                .map(s -> "fuseml-" + s).toList());
        services.forEach((name, service) -> {
            JsonNode template = service.path("spec").path("template");
            assertThat(template.path("metadata").path("annotations").path("autoscaling.knative.dev/min-scale")
                    .asText()).as(name).isEqualTo("0");
            JsonNode container = template.path("spec").path("containers").get(0);
            Map<String, String> env = new LinkedHashMap<>();
            container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
            assertThat(env).as(name).containsEntry("FUSEML_FUNCTION", name.substring("fuseml-".length()));
            assertThat(env).as(name + ": a secret comes from a Secret, never a plain value")
                    .containsEntry("FUSEML_SYSTEM_TOKEN", null);
            assertThat(template.path("spec").path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        });
    }

    /** Knative's {@code filters} list is an "all of": a list of one is that one filter. */
    private static dev.fuseml.eventing.filter.Filter simplest(dev.fuseml.eventing.filter.Filter filter) {
        return filter instanceof dev.fuseml.eventing.filter.Filter.All all && all.filters().size() == 1
                ? simplest(all.filters().get(0)) : filter;
    }

    @Test
    void theOrgsTriggersAreTheDefaultChainOfTheEmbeddedBroker() throws IOException {
        String yaml = Files.readString(CONFIG.resolve("70-org-workspace.yaml"));
        // only the Knative resources: the Namespace is not a definition the broker takes
        String knative = Stream.of(yaml.split("(?m)^---$")).filter(d -> d.contains("eventing.knative.dev"))
                .collect(Collectors.joining("\n---\n"));
        Definitions.Parsed parsed = Definitions.parse(knative, "workspace");
        Map<String, Definitions.BrokerDefinition> brokers = parsed.brokers().stream()
                .collect(Collectors.toMap(Definitions.BrokerDefinition::namespace, Function.identity()));
        Map<String, Trigger> applied = parsed.triggers().stream().map(t -> Definitions.trigger(t, brokers))
                .collect(Collectors.toMap(Trigger::name, Function.identity()));
        List<Trigger> chain = DefaultChain.triggers(step -> URI.create("http://fuseml-" + step
                + ".fuseml-system.svc.cluster.local"), URI.create("http://fuseml-control-plane.fuseml-system.svc"
                + ".cluster.local"));
        assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(chain.stream().map(Trigger::name).toList());
        for (Trigger expected : chain) {
            Trigger actual = applied.get(expected.name());
            assertThat(simplest(actual.filter())).as(expected.name()).isEqualTo(simplest(expected.filter()));
            assertThat(actual.subscriber()).as(expected.name()).isEqualTo(expected.subscriber());
            assertThat(actual.delivery()).as(expected.name()).isEqualTo(expected.delivery());
        }
    }
}
