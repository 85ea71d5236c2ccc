package dev.fuseml.cli.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code fuseml install --kubernetes} against fabric8's mock API server in CRUD mode, with Knative's real CRDs
 * created in it (no cluster runs here). A small stand-in for the cluster's controllers marks the Deployment
 * available and the Knative Services and Brokers Ready, as Kubernetes and Knative would.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesInstallerTest {
    private static final String ADMIN_HASH = "a".repeat(64);
    KubernetesClient client;
    private final StringWriter printed = new StringWriter();
    private final ScheduledExecutorService controllers = Executors.newSingleThreadScheduledExecutor();

    private KubernetesInstaller installer() {
        return new KubernetesInstaller(client, new PrintWriter(printed, true));
    }

    @BeforeEach
    void installKnative() throws IOException {
        for (String crd : List.of("serving-service", "eventing-broker", "eventing-trigger")) {
            try (InputStream in = getClass().getResourceAsStream("/knative-crds/" + crd + ".yaml")) {
                client.apiextensions().v1().customResourceDefinitions().load(in).create();
            }
        }
        senderIdentity("enabled");
    }

    private void senderIdentity(String value) {
        client.configMaps().inNamespace("knative-eventing").resource(new io.fabric8.kubernetes.api.model
                .ConfigMapBuilder().withNewMetadata().withName("config-features").withNamespace("knative-eventing")
                .endMetadata().addToData("authentication-oidc", value).build()).createOr(op -> op.update());
    }

    @AfterEach
    void stopControllers() {
        controllers.shutdownNow();
    }

    /** As Kubernetes and Knative would: whatever FuseML deployed becomes available or Ready. */
    private void runControllers() {
        controllers.scheduleWithFixedDelay(() -> {
            try {
                for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
                    if (d.getStatus() == null || d.getStatus().getAvailableReplicas() == null) {
                        d.setStatus(new DeploymentStatusBuilder().withAvailableReplicas(1).build());
                        client.apps().deployments().resource(d).updateStatus();
                    }
                }
                for (var kind : List.of("serving.knative.dev/v1/Service", "eventing.knative.dev/v1/Broker")) {
                    var resources = client.genericKubernetesResources(KubernetesInstaller.KNATIVE.get(kind));
                    for (GenericKubernetesResource r : resources.inAnyNamespace().list().getItems()) {
                        if (!r.getAdditionalProperties().containsKey("status")) {
                            r.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready",
                                    "status", "True"))));
                            resources.inNamespace(r.getMetadata().getNamespace()).resource(r).updateStatus();
                        }
                    }
                }
            } catch (RuntimeException e) {
                // the next round tries again
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    private Map<String, String> versions(List<HasMetadata> manifests) {
        Map<String, String> versions = new HashMap<>();
        for (HasMetadata m : manifests) {
            HasMetadata current = m instanceof GenericKubernetesResource ? client.genericKubernetesResources(
                    KubernetesInstaller.KNATIVE.get(m.getApiVersion() + "/" + m.getKind())).inNamespace(
                    m.getMetadata().getNamespace()).withName(m.getMetadata().getName()).get() : client.resource(m).get();
            versions.put(KubernetesInstaller.key(m), current.getMetadata().getResourceVersion());
        }
        return versions;
    }

    @Test
    void installCreatesConfigsResourcesAndTheSecretsAndASecondInstallChangesNothing() throws Exception {
        runControllers();
        KubernetesInstaller installer = installer();
        List<HasMetadata> manifests = installer.manifests();
        Map<String, KubernetesInstaller.Change> first = installer.install(manifests, ADMIN_HASH, Duration.ofSeconds(20));
        assertThat(first.values()).containsOnly(KubernetesInstaller.Change.CREATED);
        assertThat(first.keySet()).containsAll(manifests.stream().map(KubernetesInstaller::key).toList())
                .contains("Secret fuseml-system/fuseml-tokens", "Secret workspace/fuseml-org-token")
                .hasSize(manifests.size() + 2);
        assertThat(first.keySet()).contains("ClusterRole fuseml-steps", "Deployment fuseml-system/fuseml-control-plane",
                "Service fuseml-system/fuseml-build", "Broker workspace/default", "Trigger workspace/fuseml-train");
        var tokens = client.secrets().inNamespace("fuseml-system").withName("fuseml-tokens").get().getData();
        String system = decode(tokens.get("system-token"));
        assertThat(system).startsWith("fuseml_");
        assertThat(decode(tokens.get("admin-token-sha256"))).isEqualTo(ADMIN_HASH);
        assertThat(decode(client.secrets().inNamespace("workspace").withName("fuseml-org-token").get().getData()
                .get("token"))).isEqualTo(dev.fuseml.eventing.Tokens.forOrg(system, "workspace"));
        assertThat(printed.toString()).doesNotContain(system);

        Map<String, String> before = versions(manifests);
        Map<String, KubernetesInstaller.Change> second = installer.install(installer.manifests(), ADMIN_HASH,
                Duration.ofSeconds(20));
        assertThat(second.values()).containsOnly(KubernetesInstaller.Change.UNCHANGED);
        assertThat(versions(manifests)).isEqualTo(before);
        assertThat(decode(client.secrets().inNamespace("fuseml-system").withName("fuseml-tokens").get().getData()
                .get("system-token"))).as("the deployment keeps its token").isEqualTo(system);
    }

    @Test
    void aChangedManifestIsAppliedAgainAndOnlyIt() throws Exception {
        runControllers();
        KubernetesInstaller installer = installer();
        installer.install(installer.manifests(), ADMIN_HASH, Duration.ofSeconds(20));
        var config = client.configMaps().inNamespace("fuseml-system").withName("fuseml-config").get();
        config.getData().put("FUSEML_KUBERNETES_PYTHON_IMAGE", "python:3.10-slim");
        client.configMaps().resource(config).update();

        Map<String, KubernetesInstaller.Change> again = installer.install(installer.manifests(), ADMIN_HASH,
                Duration.ofSeconds(20));
        assertThat(again).containsEntry("ConfigMap fuseml-system/fuseml-config", KubernetesInstaller.Change.CONFIGURED);
        assertThat(again.values().stream().filter(c -> c != KubernetesInstaller.Change.UNCHANGED)).hasSize(1);
        assertThat(client.configMaps().inNamespace("fuseml-system").withName("fuseml-config").get().getData())
                .containsEntry("FUSEML_KUBERNETES_PYTHON_IMAGE", "python:3.11-slim");
    }

    @Test
    void uninstallRemovesWhatInstallMadeAndNothingElse() throws Exception {
        // the org's namespace was there before, with something of the user's in it
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("workspace").endMetadata()
                .build()).create();
        client.configMaps().inNamespace("workspace").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("users-own").endMetadata().build()).create();
        runControllers();
        KubernetesInstaller installer = installer();
        List<HasMetadata> manifests = installer.manifests();
        assertThat(installer.install(manifests, ADMIN_HASH, Duration.ofSeconds(20)))
                .containsEntry("Namespace workspace", KubernetesInstaller.Change.CONFIGURED); // FuseML's label added

        List<String> deleted = installer.uninstall(installer.manifests());
        assertThat(deleted).contains("Deployment fuseml-system/fuseml-control-plane", "Broker workspace/default",
                "ClusterRole fuseml-steps", "Secret workspace/fuseml-org-token", "Namespace fuseml-system")
                .doesNotContain("Namespace workspace");
        assertThat(client.namespaces().withName("workspace").get()).isNotNull();
        assertThat(client.configMaps().inNamespace("workspace").withName("users-own").get()).isNotNull();
        assertThat(client.rbac().clusterRoles().withName("fuseml-steps").get()).isNull();
        assertThat(client.apps().deployments().inNamespace("fuseml-system").withName("fuseml-control-plane").get())
                .isNull();
    }

    @Test
    void aClusterWithoutKnativeIsRefusedAtOnceNamingTheMissingCrdsAndNothingIsChanged() {
        client.apiextensions().v1().customResourceDefinitions().withName("brokers.eventing.knative.dev").delete();
        client.apiextensions().v1().customResourceDefinitions().withName("triggers.eventing.knative.dev").delete();
        KubernetesInstaller installer = installer();
        var refused = assertThrows(KubernetesInstaller.InstallException.class,
                () -> installer.install(installer.manifests(), ADMIN_HASH, Duration.ofSeconds(5)));
        assertThat(refused.getMessage()).contains("brokers.eventing.knative.dev", "triggers.eventing.knative.dev",
                "install Knative").doesNotContain("services.serving.knative.dev");
        assertThat(client.namespaces().list().getItems()).isEmpty();
    }

    @Test
    void aClusterWithoutKnativesSenderIdentityIsRefusedNamingTheFixAndNothingIsChanged() {
        senderIdentity("disabled");
        KubernetesInstaller installer = installer();
        var refused = assertThrows(KubernetesInstaller.InstallException.class,
                () -> installer.install(installer.manifests(), ADMIN_HASH, Duration.ofSeconds(5)));
        assertThat(refused.getMessage()).contains("sender identity is 'disabled'", "kubectl patch configmap "
                + "config-features -n knative-eventing", "nothing was changed");
        assertThat(client.namespaces().list().getItems()).isEmpty();
    }

    @Test
    void aResourceThatDoesNotBecomeReadyIsNamedWithItsReason() throws Exception {
        // no controllers: nothing becomes Ready; one Service says why
        KubernetesInstaller installer = installer();
        var waiting = Executors.newSingleThreadExecutor().submit(() -> installer.install(installer.manifests(),
                ADMIN_HASH, Duration.ofSeconds(3)));
        var services = client.genericKubernetesResources(KubernetesInstaller.KNATIVE.get(
                "serving.knative.dev/v1/Service")).inNamespace("fuseml-system");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> services.withName("fuseml-train")
                .get() != null);
        GenericKubernetesResource train = services.withName("fuseml-train").get();
        train.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "False",
                "reason", "RevisionFailed", "message", "Unable to fetch image"))));
        services.resource(train).updateStatus();
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> waiting.get(20,
                TimeUnit.SECONDS));
        assertThat(failure.getCause().getMessage()).contains("not Ready within PT3S",
                "Service fuseml-system/fuseml-train: Ready is False (RevisionFailed: Unable to fetch image)",
                "Deployment fuseml-system/fuseml-control-plane: no replica is available yet");
    }

    @Test
    void theCliCarriesEveryManifestOfConfig() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "config"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .collect(Collectors.toList())).containsExactlyInAnyOrderElementsOf(KubernetesInstaller.MANIFESTS);
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
