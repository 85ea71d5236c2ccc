package dev.fuseml.cli.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.eventing.Tokens;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Installs FuseML on a cluster with Knative from the manifests of config/ (carried in the CLI's jar), with the
 * fabric8 client: checks that Knative's CRDs are there before it changes anything, makes the deployment's Secrets,
 * applies each manifest that is missing or differs (server-side apply) and leaves the others untouched, then waits
 * until the control plane, each step's Knative Service and each Broker are Ready. What it creates carries an
 * annotation, so that uninstall removes exactly that and nothing a user made.
 */
public class KubernetesInstaller {
    /** The manifests, in the order they are applied (ConfigFilesTest checks this names every file of config/). */
    public static final List<String> MANIFESTS = List.of("00-namespace.yaml", "10-serviceaccount.yaml",
            "20-config.yaml", "30-control-plane.yaml", "40-functions.yaml", "70-org-workspace.yaml");
    public static final List<String> REQUIRED_CRDS = List.of("services.serving.knative.dev",
            "brokers.eventing.knative.dev", "triggers.eventing.knative.dev");
    public static final String INSTALLED_BY = "fuseml.dev/installed-by";
    public static final String SYSTEM_NAMESPACE = "fuseml-system";
    static final String EVENTING_NAMESPACE = "knative-eventing";
    public static final String TOKENS_SECRET = "fuseml-tokens";
    public static final String ORG_TOKEN_SECRET = "fuseml-org-token";
    static final Map<String, ResourceDefinitionContext> KNATIVE = Map.of(
            "serving.knative.dev/v1/Service", context("serving.knative.dev", "v1", "Service", "services"),
            "eventing.knative.dev/v1/Broker", context("eventing.knative.dev", "v1", "Broker", "brokers"),
            "eventing.knative.dev/v1/Trigger", context("eventing.knative.dev", "v1", "Trigger", "triggers"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofSeconds(1);

    /** What install did to one resource. */
    public enum Change { CREATED, CONFIGURED, UNCHANGED }

    private final KubernetesClient client;
    private final PrintWriter out;

    public KubernetesInstaller(KubernetesClient client, PrintWriter out) {
        this.client = client;
        this.out = out;
    }

    /** The manifests of config/ as this CLI carries them. */
    public List<HasMetadata> manifests() {
        List<HasMetadata> all = new ArrayList<>();
        for (String name : MANIFESTS) {
            try (InputStream in = KubernetesInstaller.class.getResourceAsStream("/config/" + name)) {
                if (in == null) {
                    throw new InstallException("config/" + name + " is missing from the CLI's jar: rebuild it");
                }
                all.addAll(client.load(in).items());
            } catch (IOException e) {
                throw new InstallException("cannot read config/" + name + ": " + e.getMessage());
            }
        }
        return all;
    }

    /**
     * @param adminTokenSha256 the hash of the CLI's admin token, which the control plane checks
     * @return what happened to each resource, by "Kind namespace/name"
     */
    public Map<String, Change> install(List<HasMetadata> manifests, String adminTokenSha256, Duration timeout)
            throws InterruptedException {
        List<String> missing = REQUIRED_CRDS.stream().filter(crd -> client.apiextensions().v1()
                .customResourceDefinitions().withName(crd).get() == null).toList();
        if (!missing.isEmpty()) {
            throw new InstallException("the cluster has no " + String.join(", ", missing) + ": install Knative "
                    + "Serving and Eventing (1.x, with a Broker class) first; nothing was changed");
        }
        requireSenderIdentity();
        Map<String, Change> changes = new LinkedHashMap<>();
        Iterator<HasMetadata> ordered = manifests.iterator();
        // Namespaces first, then the Secrets the Deployment and Services need, then everything else.
        List<HasMetadata> rest = new ArrayList<>();
        while (ordered.hasNext()) {
            HasMetadata item = ordered.next();
            if (item.getKind().equals("Namespace")) {
                changes.put(key(item), apply(item));
            } else {
                rest.add(item);
            }
        }
        String systemToken = secretValue(SYSTEM_NAMESPACE, TOKENS_SECRET, "system-token").orElseGet(Tokens::create);
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("system-token", systemToken);
        tokens.put("admin-token-sha256", adminTokenSha256);
        changes.put("Secret " + SYSTEM_NAMESPACE + "/" + TOKENS_SECRET, apply(secret(SYSTEM_NAMESPACE, TOKENS_SECRET,
                tokens)));
        for (HasMetadata item : manifests) {
            String namespace = item.getMetadata().getName();
            if (item.getKind().equals("Namespace") && !namespace.equals(SYSTEM_NAMESPACE)) {
                // the org's Jobs and model servers reach the control plane with this org's token only
                changes.put("Secret " + namespace + "/" + ORG_TOKEN_SECRET, apply(secret(namespace, ORG_TOKEN_SECRET,
                        Map.of("token", Tokens.forOrg(systemToken, namespace)))));
            }
        }
        for (HasMetadata item : rest) {
            changes.put(key(item), apply(item));
        }
        awaitReady(manifests, timeout);
        return changes;
    }

    /**
     * FuseML's functions take a Broker's deliveries only with a token (Knative's sender identity): without it every
     * delivery would be refused, so a cluster without it is refused before anything changes.
     */
    private void requireSenderIdentity() {
        var features = client.configMaps().inNamespace(EVENTING_NAMESPACE).withName("config-features").get();
        String oidc = features == null || features.getData() == null ? null
                : features.getData().get("authentication-oidc");
        if (!"enabled".equals(oidc)) {
            throw new InstallException("Knative Eventing's sender identity is " + (oidc == null ? "not set" : "'"
                    + oidc + "'") + " (config-features authentication-oidc in " + EVENTING_NAMESPACE + "): FuseML "
                    + "takes a Broker's deliveries only with its token. Enable it with: kubectl patch configmap "
                    + "config-features -n " + EVENTING_NAMESPACE + " --type merge -p "
                    + "'{\"data\":{\"authentication-oidc\":\"enabled\"}}'; nothing was changed");
        }
    }

    /** Deletes what install created (it carries {@value #INSTALLED_BY}), newest first; nothing else. */
    public List<String> uninstall(List<HasMetadata> manifests) {
        List<HasMetadata> ours = new ArrayList<>(manifests);
        for (HasMetadata item : manifests) {
            if (item.getKind().equals("Namespace")) {
                String namespace = item.getMetadata().getName();
                ours.add(0, secret(namespace, namespace.equals(SYSTEM_NAMESPACE) ? TOKENS_SECRET : ORG_TOKEN_SECRET,
                        Map.of()));
            }
        }
        List<String> deleted = new ArrayList<>();
        for (int i = ours.size() - 1; i >= 0; i--) {
            HasMetadata item = ours.get(i);
            Optional<HasMetadata> current = Optional.ofNullable(handle(item).get());
            if (current.isPresent() && "fuseml".equals(Optional.ofNullable(current.get().getMetadata()
                    .getAnnotations()).map(a -> a.get(INSTALLED_BY)).orElse(null))) {
                handle(item).delete();
                deleted.add(key(item));
                out.println("  deleted    " + key(item));
                out.flush();
            }
        }
        return deleted;
    }

    private Change apply(HasMetadata desired) {
        Resource<? extends HasMetadata> resource = handle(desired);
        HasMetadata current = resource.get();
        Change change;
        if (current == null) {
            Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(desired.getMetadata()
                    .getAnnotations()).orElse(Map.of()));
            annotations.put(INSTALLED_BY, "fuseml");
            desired.getMetadata().setAnnotations(annotations);
            handle(desired).create();
            change = Change.CREATED;
        } else if (contains(JSON.valueToTree(current), comparable(desired))) {
            change = Change.UNCHANGED;
        } else {
            // keep the mark of who made it: uninstall removes what install created, also after a change
            Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(desired.getMetadata()
                    .getAnnotations()).orElse(Map.of()));
            Optional.ofNullable(current.getMetadata().getAnnotations()).map(a -> a.get(INSTALLED_BY))
                    .ifPresent(v -> annotations.put(INSTALLED_BY, v));
            desired.getMetadata().setAnnotations(annotations);
            serverSideApply(desired);
            change = Change.CONFIGURED;
        }
        out.printf("  %-10s %s%n", change.name().toLowerCase(), key(desired));
        out.flush();
        return change;
    }

    /**
     * Server-side apply, as {@code kubectl apply --server-side} does; an API server that does not take it (415,
     * such as fabric8's mock server) gets a JSON merge patch of the same fields instead.
     */
    private void serverSideApply(HasMetadata desired) {
        try {
            handle(desired).serverSideApply();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 415) {
                throw e;
            }
            handle(desired).patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), comparable(desired).toString());
        }
    }

    /** The desired resource as JSON, without what only a first creation sets. */
    private static JsonNode comparable(HasMetadata desired) {
        com.fasterxml.jackson.databind.node.ObjectNode node = JSON.valueToTree(desired);
        com.fasterxml.jackson.databind.node.ObjectNode metadata = (com.fasterxml.jackson.databind.node.ObjectNode)
                node.path("metadata");
        if (metadata.path("annotations").isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) metadata.get("annotations")).remove(INSTALLED_BY);
        }
        return node;
    }

    /** Whether every field {@code desired} sets has that value in {@code current} (the server adds defaults). */
    static boolean contains(JsonNode current, JsonNode desired) {
        if (desired.isObject()) {
            if (!current.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isNull()) {
                    continue;
                }
                if (!current.has(field.getKey()) || !contains(current.get(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!current.isArray() || current.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!contains(current.get(i), desired.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return desired.asText().equals(current.asText());
    }

    /** Waits for the control plane, the Knative Services and the Brokers; a timeout names each one not Ready. */
    private void awaitReady(List<HasMetadata> manifests, Duration timeout) throws InterruptedException {
        List<HasMetadata> watched = manifests.stream().filter(m -> List.of("Deployment", "Service", "Broker")
                .contains(m.getKind()) && (!m.getKind().equals("Service") || m instanceof GenericKubernetesResource))
                .toList();
        out.println("Waiting for " + watched.size() + " resources to be Ready (at most " + timeout + ")");
        out.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> notReady = new LinkedHashMap<>();
        while (true) {
            notReady.clear();
            for (HasMetadata item : watched) {
                readiness(handle(item).get()).ifPresent(why -> notReady.put(key(item), why));
            }
            if (notReady.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder message = new StringBuilder("not Ready within " + timeout + ":");
                notReady.forEach((k, why) -> message.append("\n  ").append(k).append(": ").append(why));
                message.append("\n(kubectl describe shows more; install again to go on waiting)");
                throw new InstallException(message.toString());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Empty when Ready, else why not. */
    static Optional<String> readiness(HasMetadata current) {
        if (current == null) {
            return Optional.of("it does not exist");
        }
        JsonNode status = JSON.valueToTree(current).path("status");
        if (current.getKind().equals("Deployment")) {
            return status.path("availableReplicas").asInt(0) >= 1 ? Optional.empty()
                    : Optional.of(condition(status, "Available").orElse("no replica is available yet"));
        }
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                return c.path("status").asText().equals("True") ? Optional.empty()
                        : Optional.of("Ready is " + c.path("status").asText() + " (" + c.path("reason").asText()
                                + ": " + c.path("message").asText() + ")");
            }
        }
        return Optional.of("no Ready condition yet");
    }

    private static Optional<String> condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return Optional.of(type + " is " + c.path("status").asText() + " (" + c.path("reason").asText()
                        + ": " + c.path("message").asText() + ")");
            }
        }
        return Optional.empty();
    }

    private Optional<String> secretValue(String namespace, String name, String key) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null || secret.getData() == null || secret.getData().get(key) == null) {
            return Optional.empty();
        }
        return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8));
    }

    private static Secret secret(String namespace, String name, Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/part-of", "fuseml").endMetadata().withType("Opaque").withData(data)
                .build();
    }

    @SuppressWarnings("unchecked")
    private Resource<? extends HasMetadata> handle(HasMetadata item) {
        ResourceDefinitionContext knative = KNATIVE.get(item.getApiVersion() + "/" + item.getKind());
        if (knative != null) {
            GenericKubernetesResource generic = item instanceof GenericKubernetesResource g ? g
                    : JSON.convertValue(item, GenericKubernetesResource.class);
            return client.genericKubernetesResources(knative).inNamespace(item.getMetadata().getNamespace())
                    .resource(generic);
        }
        return (Resource<? extends HasMetadata>) (Resource<?>) client.resource(item);
    }

    static String key(HasMetadata item) {
        String namespace = item.getMetadata().getNamespace();
        return item.getKind() + " " + (namespace == null ? "" : namespace + "/") + item.getMetadata().getName();
    }

    private static ResourceDefinitionContext context(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    /** Install cannot go on: the message names what and how to fix it. */
    public static class InstallException extends RuntimeException {
        public InstallException(String message) {
            super(message);
        }
    }
}
