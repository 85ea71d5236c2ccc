package dev.fuseml.broker.kubernetes;

import dev.fuseml.kubernetes.KnativeKinds;
import dev.fuseml.testing.RbacRules;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.broker.TriggerRegistry.TriggerStatus;
import dev.fuseml.broker.kubernetes.KnativeBrokers;
import dev.fuseml.eventing.knative.CrdSchema;
import dev.fuseml.eventing.knative.Definitions;
import dev.fuseml.org.OrgStore;
import dev.fuseml.org.kubernetes.OrgNamespaces;
import dev.fuseml.testing.TestConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code fuseml triggers apply|delete} on a cluster, against fabric8's mock API server: applied Trigger YAML becomes
 * Trigger resources in the org's namespace that pass Knative's own CRD schema; a default trigger is overridden or
 * disabled in one org only and comes back when the override is deleted; and the control plane's ClusterRole allows
 * exactly what creating orgs and changing their triggers asks of the API server.
 */
@EnableKubernetesMockClient(crud = true)
class KnativeBrokersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GATE = """
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: fuseml-register
              namespace: team-a
            spec:
              broker: default
              filter:
                attributes:
                  type: dev.fuseml.trained.approved
              subscriber:
                ref:
                  apiVersion: serving.knative.dev/v1
                  kind: Service
                  name: fuseml-register
            """;
    KubernetesClient client;
    KubernetesMockServer server;
    @TempDir
    Path dir;
    private KnativeBrokers brokers;
    private OrgNamespaces namespaces;

    @BeforeEach
    void twoOrgs() throws Exception {
        OrgStore orgs = new OrgStore(new TestConfig(dir));
        namespaces = new OrgNamespaces(client, "fuseml_system-token-for-tests", "fuseml-org-token");
        for (String org : List.of("workspace", "team-a")) {
            orgs.create(org);
            namespaces.provision(org);
        }
        brokers = new KnativeBrokers(client, orgs, namespaces, "workspace", "fuseml-system");
    }

    @Test
    void aTriggerNamedLikeADefaultOneReplacesItInThatOrgOnlyAndDeletingItBringsTheDefaultBack() {
        List<String> applied = brokers.apply(GATE, org -> true);

        assertThat(applied).containsExactly("trigger.eventing.knative.dev/fuseml-register in team-a configured "
                + "(overrides the default chain's fuseml-register in this org)");
        JsonNode register = trigger("team-a", "fuseml-register");
        assertThat(register.at("/spec/filter/attributes/type").asText()).isEqualTo("dev.fuseml.trained.approved");
        assertThat(register.at("/spec/subscriber/ref/namespace").asText())
                .as("a ref to FuseML's Service without a namespace means FuseML's").isEqualTo("fuseml-system");
        assertThat(register.at("/spec/subscriber/audience").asText())
                .as("so that the Broker sends a token FuseML takes").isEqualTo("fuseml");
        assertThat(CrdSchema.load("eventing-trigger.yaml").validate(register)).isEmpty();
        assertThat(trigger("workspace", "fuseml-register").at("/spec/filter/attributes/type").asText())
                .isEqualTo("dev.fuseml.trained");
        assertThat(status("team-a", "fuseml-register").reason()).contains("overrides the default chain's");
        assertThat(status("team-a", "fuseml-register").builtIn()).isFalse();
        assertThat(status("workspace", "fuseml-register").builtIn()).isTrue();

        assertThat(brokers.deleteTrigger("team-a", "fuseml-register")).isTrue();

        assertThat(trigger("team-a", "fuseml-register").at("/spec/filter/attributes/type").asText())
                .isEqualTo("dev.fuseml.trained");
        assertThat(status("team-a", "fuseml-register").builtIn()).isTrue();
    }

    @Test
    void aDisabledDefaultTriggerIsGoneFromThatOrgAndListedAsDisabledUntilDeleted() {
        String disable = GATE.replace("  namespace: team-a\n", "  namespace: team-a\n  annotations:\n"
                + "    fuseml.dev/disabled: \"true\"\n");

        assertThat(brokers.apply(disable, org -> true)).singleElement().asString().contains("deleted")
                .contains("disabled in this org");

        assertThat(client.genericKubernetesResources(KnativeKinds.TRIGGER).inNamespace("team-a")
                .withName("fuseml-register").get()).isNull();
        assertThat(status("team-a", "fuseml-register").reason()).contains("disabled in this org");
        assertThat(brokers.deleteTrigger("team-a", "fuseml-register")).isTrue();
        assertThat(trigger("team-a", "fuseml-register")).isNotNull();
    }

    @Test
    void anOrgsOwnTriggerIsCreatedAndShownNotReadyUntilKnativeSaysItIs() throws Exception {
        String own = """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata:
                  name: quality-gate
                  namespace: team-a
                spec:
                  broker: default
                  filters:
                    - exact: {type: dev.fuseml.trained}
                  subscriber:
                    uri: http://quality-gate.team-a.svc.cluster.local
                  delivery:
                    deadLetterSink:
                      uri: http://fuseml-control-plane.fuseml-system.svc.cluster.local/api/v1/deadletter
                """;
        assertThat(brokers.apply(own, org -> true)).containsExactly(
                "trigger.eventing.knative.dev/quality-gate in team-a created");
        assertThat(trigger("team-a", "quality-gate").at("/spec/subscriber/audience").isMissingNode())
                .as("the user's own function gets no FuseML audience").isTrue();
        assertThat(status("team-a", "quality-gate").ready()).isFalse();
        assertThat(status("team-a", "quality-gate").reason()).contains("kubectl describe trigger quality-gate");

        GenericKubernetesResource made = client.genericKubernetesResources(KnativeKinds.TRIGGER).inNamespace("team-a")
                .withName("quality-gate").get();
        made.getAdditionalProperties().put("status", Map.of("conditions", List.of(Map.of("type", "Ready",
                "status", "True"))));
        client.genericKubernetesResources(KnativeKinds.TRIGGER).inNamespace("team-a").resource(made).update();

        assertThat(status("team-a", "quality-gate").ready()).isTrue();
        assertThat(trigger("team-a", "quality-gate").at("/spec/delivery/deadLetterSink/audience").asText())
                .as("FuseML's dead-letter sink, by URL").isEqualTo("fuseml");
        assertThat(status("team-a", "quality-gate").subscriber())
                .isEqualTo("http://quality-gate.team-a.svc.cluster.local");
        assertThat(brokers.deleteTrigger("team-a", "quality-gate")).isTrue();
        assertThat(brokers.deleteTrigger("team-a", "quality-gate")).isFalse();
    }

    @Test
    void invalidYamlOrAnotherOrgsResourceChangesNothing() {
        String bad = GATE.replace("broker: default", "broker: other");
        assertThatThrownBy(() -> brokers.apply(bad, org -> true))
                .isInstanceOf(Definitions.InvalidDefinitionException.class).hasMessageContaining("spec.broker");
        assertThatThrownBy(() -> brokers.apply(GATE, "workspace"::equals))
                .isInstanceOf(SecurityException.class).hasMessageContaining("org 'team-a'");
        assertThat(trigger("team-a", "fuseml-register").at("/spec/filter/attributes/type").asText())
                .isEqualTo("dev.fuseml.trained");
    }

    @Test
    void clientsPostAnOrgsEventsThroughTheControlPlane() {
        assertThat(brokers.ingress("team-a").toString()).isEqualTo("/api/v1/orgs/team-a/events");
    }

    @Test
    void theControlPlanesClusterRoleAllowsExactlyWhatOrgsAndTheirTriggersNeed() throws Exception {
        namespaces.provision("team-a"); // again, as create-org of an org that exists does: brought up to date
        brokers.apply(GATE, org -> true);
        brokers.apply(GATE.replace("name: fuseml-register\n  namespace", "name: other\n  namespace"), org -> true);
        brokers.triggers();
        brokers.deleteTrigger("team-a", "fuseml-register");
        brokers.deleteTrigger("team-a", "other");

        RbacRules.read(Path.of("..", "config", "10-serviceaccount.yaml"), Set.of("fuseml-orgs"))
                .assertAllowsExactly(RbacRules.drain(server));
    }

    private JsonNode trigger(String org, String name) {
        return JSON.valueToTree(client.genericKubernetesResources(KnativeKinds.TRIGGER).inNamespace(org)
                .withName(name).get());
    }

    private TriggerStatus status(String org, String name) {
        return brokers.triggers().stream().filter(t -> t.namespace().equals(org) && t.name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no trigger " + org + "/" + name));
    }
}
