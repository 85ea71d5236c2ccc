package dev.fuseml.org.kubernetes;

import dev.fuseml.eventing.Tokens;
import dev.fuseml.kubernetes.KnativeKinds;
import dev.fuseml.org.OrgProvisioner;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An org on a cluster: what config/70-org-workspace.yaml makes for the default org (namespace, the steps'
 * RoleBinding, Broker, the default chain's Triggers), made for another org from that same file with its namespace
 * changed, plus the org's token Secret ({@code fuseml-org-token}: its deployment token, which the org's Jobs and
 * model servers carry). The file travels in the jar, so what create-org makes is what config/ says.
 */
public class OrgNamespaces implements OrgProvisioner {
    static final String TEMPLATE = "/kubernetes/70-org-workspace.yaml";
    static final String TEMPLATE_ORG = "workspace";
    private static final Map<String, ResourceDefinitionContext> KNATIVE = Map.of(
            "Broker", KnativeKinds.BROKER, "Trigger", KnativeKinds.TRIGGER);

    private final KubernetesClient client;
    private final String systemToken;
    private final String tokenSecret;

    public OrgNamespaces(KubernetesClient client, String systemToken, String tokenSecret) {
        this.client = client;
        this.systemToken = systemToken;
        this.tokenSecret = tokenSecret;
    }

    @Override
    public void provision(String org) throws IOException {
        for (HasMetadata item : resources(org)) {
            apply(item);
        }
        client.secrets().inNamespace(org).resource(new SecretBuilder().withNewMetadata().withName(tokenSecret)
                .withNamespace(org).withLabels(dev.fuseml.kubernetes.Labels.of(tokenSecret,
                        dev.fuseml.kubernetes.Labels.ACCESS)).endMetadata()
                .withType("Opaque").addToStringData("token", Tokens.forOrg(systemToken, org)).build())
                .createOr(op -> op.update());
    }

    /** The default chain's Triggers as config/ makes them in {@code org}'s namespace. */
    public List<GenericKubernetesResource> defaultTriggers(String org) throws IOException {
        return resources(org).stream().filter(r -> r.getKind().equals("Trigger"))
                .map(GenericKubernetesResource.class::cast).toList();
    }

    /** The template's resources for {@code org}: every namespace of it, and the Namespace itself, renamed. */
    List<HasMetadata> resources(String org) throws IOException {
        String template;
        try (InputStream in = OrgNamespaces.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the orchestrator's jar");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<HasMetadata> items = new ArrayList<>();
        for (HasMetadata item : client.load(new ByteArrayInputStream(template.getBytes(StandardCharsets.UTF_8)))
                .items()) {
            if (item.getKind().equals("Namespace")) {
                item.getMetadata().setName(org);
                item.getMetadata().getLabels().put(dev.fuseml.kubernetes.Labels.NAME, org);
            } else if (TEMPLATE_ORG.equals(item.getMetadata().getNamespace())) {
                item.getMetadata().setNamespace(org);
            }
            items.add(item);
        }
        return items;
    }

    private void apply(HasMetadata item) {
        ResourceDefinitionContext knative = KNATIVE.get(item.getKind());
        if (knative != null && item instanceof GenericKubernetesResource generic) {
            client.genericKubernetesResources(knative).inNamespace(item.getMetadata().getNamespace())
                    .resource(generic).createOr(op -> op.update());
        } else {
            client.resource(item).createOr(op -> op.update());
        }
    }
}
