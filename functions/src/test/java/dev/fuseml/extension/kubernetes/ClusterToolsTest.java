package dev.fuseml.extension.kubernetes;

import dev.fuseml.extension.ToolDetector.Suggestion;
import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.testing.RbacRules;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auto-detection on a cluster, against fabric8's mock API server: KServe and both Seldon generations by their CRDs,
 * MLflow servers by their Services' labels in any namespace, nothing for an unlabelled Service; and the control
 * plane's ServiceAccount may make exactly the requests it takes (config/10-serviceaccount.yaml).
 */
@EnableKubernetesMockClient(crud = true)
class ClusterToolsTest {
    KubernetesClient client;
    KubernetesMockServer server;

    private void crd(String name, String group, String kind, String plural) {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(name).endMetadata().withNewSpec().withGroup(group)
                .withScope("Namespaced").withNewNames().withKind(kind).withPlural(plural).endNames().addNewVersion()
                .withName("v1").withServed(true).withStorage(true).endVersion().endSpec().build()).create();
    }

    private void service(String namespace, String name, Map<String, String> labels, int port) {
        client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(labels).endMetadata().withNewSpec().addNewPort().withPort(port)
                .endPort().endSpec().build()).create();
    }

    @Test
    void aClusterWithNothingInstalledSuggestsNothing() {
        service("default", "kubernetes", Map.of("component", "apiserver"), 443);
        assertThat(new ClusterTools(new Cluster(client)).detect()).isEmpty();
    }

    @Test
    void kserveSeldonAndLabelledMlflowServicesAreFoundAndTheControlPlaneMayLook() throws Exception {
        crd("inferenceservices.serving.kserve.io", "serving.kserve.io", "InferenceService", "inferenceservices");
        crd("models.mlops.seldon.io", "mlops.seldon.io", "Model", "models");
        crd("seldondeployments.machinelearning.seldon.io", "machinelearning.seldon.io", "SeldonDeployment",
                "seldondeployments");
        service("mlflow", "tracking", Map.of("app.kubernetes.io/name", "mlflow"), 5000);
        service("team-b", "old-mlflow", Map.of("app", "mlflow"), 80);
        service("team-b", "web", Map.of("app", "web"), 80);
        RbacRules.drain(server);

        var found = new ClusterTools(new Cluster(client)).detect();
        Set<RbacRules.Request> requests = RbacRules.drain(server);

        assertThat(found).containsExactlyInAnyOrder(
                new Suggestion("kserve", "kserve", null, "CRD inferenceservices.serving.kserve.io"),
                new Suggestion("seldon", "seldon", null, "CRD models.mlops.seldon.io"),
                new Suggestion("tracking", "mlflow", "http://tracking.mlflow.svc.cluster.local:5000",
                        "Service mlflow/tracking labelled mlflow"),
                new Suggestion("old-mlflow", "mlflow", "http://old-mlflow.team-b.svc.cluster.local",
                        "Service team-b/old-mlflow labelled mlflow"));
        RbacRules.read(Path.of("..", "config", "10-serviceaccount.yaml"), Set.of("fuseml-tool-detector"))
                .assertAllowsExactly(requests);
    }
}
