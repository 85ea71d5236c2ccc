package dev.fuseml.org.kubernetes;

import dev.fuseml.kubernetes.KnativeKinds;
import dev.fuseml.testing.RbacRules;
import dev.fuseml.eventing.Tokens;
import dev.fuseml.org.kubernetes.OrgNamespaces;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * create-org on a cluster, against fabric8's mock API server: the org gets what config/ gives the default org, in
 * its own namespace, and its token Secret; the control plane's ServiceAccount may make those requests.
 */
@EnableKubernetesMockClient(crud = true)
class OrgNamespacesTest {
    private static final String SYSTEM = "fuseml_system-token-for-tests";
    private static final ResourceDefinitionContext TRIGGERS = KnativeKinds.TRIGGER;
    private static final ResourceDefinitionContext BROKERS = KnativeKinds.BROKER;
    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void anOrgGetsTheDefaultOrgsResourcesInItsOwnNamespaceWithItsTokenAndTheControlPlaneMayMakeThem()
            throws Exception {
        OrgNamespaces orgs = new OrgNamespaces(client, SYSTEM, "fuseml-org-token");
        orgs.provision("team-a");
        orgs.provision("team-a"); // again: brought up to date, not refused
        Set<RbacRules.Request> requests = RbacRules.drain(server);

        assertThat(client.namespaces().withName("team-a").get()).isNotNull();
        assertThat(client.namespaces().withName("workspace").get()).as("the template's own org is not made").isNull();
        assertThat(client.rbac().roleBindings().inNamespace("team-a").withName("fuseml-steps").get().getRoleRef()
                .getName()).isEqualTo("fuseml-steps");
        assertThat(client.genericKubernetesResources(BROKERS).inNamespace("team-a").withName("default").get())
                .isNotNull();
        List<GenericKubernetesResource> triggers = client.genericKubernetesResources(TRIGGERS).inNamespace("team-a")
                .list().getItems();
        assertThat(triggers).extracting(t -> t.getMetadata().getName()).contains("fuseml-receive", "fuseml-train",
                "fuseml-serve", "fuseml-runs").hasSize(8);
        var secret = client.secrets().inNamespace("team-a").withName("fuseml-org-token").get();
        String token = secret.getStringData() != null && secret.getStringData().containsKey("token")
                ? secret.getStringData().get("token")
                : new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
        assertThat(token).isEqualTo(Tokens.forOrg(SYSTEM, "team-a"));

        // each request allowed; that every grant is used is checked with the triggers' requests (KnativeBrokersTest)
        RbacRules rules = RbacRules.read(Path.of("..", "config", "10-serviceaccount.yaml"), Set.of("fuseml-orgs"));
        assertThat(requests).isNotEmpty().allSatisfy(r -> assertThat(rules.allows(r)).as(r + " is allowed").isTrue());
    }
}
