package dev.fuseml.serving.kubernetes;

import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.kubernetes.KnativeKinds;
import dev.fuseml.kubernetes.KubernetesSettings;
import dev.fuseml.kubernetes.Labels;
import dev.fuseml.kubernetes.PodSecurity;
import dev.fuseml.kubernetes.Resources;
import dev.fuseml.project.ServingSettings;
import dev.fuseml.kubernetes.Names;
import dev.fuseml.serving.Deployer;
import dev.fuseml.step.StepFailure;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Serves each app as a Knative Service in its org's namespace (scaled to zero when idle), or as a KServe
 * InferenceService where that CRD is installed, or by Seldon Core ({@link SeldonServers}) when the app's MLproject
 * asks for it ({@code serving.serve_target}). The Service runs {@code fuseml_serve.py} in the environment image
 * the model was trained in; the model comes from its artifact URI at start. A new version is a new revision of the
 * same Service: Knative keeps the old revision answering until the new one is Ready, and the URL (from the
 * resource's status) stays. The app's anchor owns it.
 */
public class KnativeDeployer implements Deployer {
    public static final ResourceDefinitionContext KNATIVE_SERVICE = KnativeKinds.SERVICE;
    public static final ResourceDefinitionContext INFERENCE_SERVICE =
            KnativeKinds.INFERENCE_SERVICE;
    static final String KSERVE_CRD = "inferenceservices.serving.kserve.io";
    static final String KNATIVE_CRD = "services.serving.knative.dev";
    /** Where an app's prediction token hash is kept across versions: an annotation of its Service. */
    static final String TOKEN_ANNOTATION = "fuseml.dev/prediction-token-sha256";
    private static final Duration POLL = Duration.ofSeconds(1);

    private final Cluster cluster;
    private final KubernetesSettings settings;
    /** The serving section the version's model carries ({@link ServingSettings#FILE}), by model URI. */
    private final java.util.function.Function<String, Optional<ServingSettings>> servingOf;

    public KnativeDeployer(Cluster cluster, KubernetesSettings settings,
            java.util.function.Function<String, Optional<ServingSettings>> servingOf) {
        this.cluster = cluster;
        this.settings = settings;
        this.servingOf = servingOf;
    }

    /** What the app's MLproject said about serving, as training stored it beside the model. */
    public static Optional<ServingSettings> servingOf(dev.fuseml.artifact.ArtifactStore artifacts, String modelUri) {
        try {
            Optional<byte[]> file = artifacts.file(modelUri, ServingSettings.FILE);
            return file.isEmpty() ? Optional.empty()
                    : Optional.of(dev.fuseml.state.JsonFiles.MAPPER.readValue(file.get(), ServingSettings.class));
        } catch (Exception e) {
            throw new StepFailure("cannot read the serving settings stored with model " + modelUri + " (" + e
                    + "): check that the control plane runs and the model was uploaded whole");
        }
    }

    public static String serviceName(String app) {
        return Names.label(app);
    }

    @Override
    public Deployment deploy(ServeRequest request) throws Exception {
        String namespace = request.org();
        String name = serviceName(request.app());
        OwnerReference owner = cluster.appOwner(namespace, request.app());
        Optional<ServingSettings> app = servingOf.apply(request.modelUri());
        KubernetesSettings.Serving serving = settings.serving().with(app.orElse(null));
        ResourceDefinitionContext kind = server(app.map(ServingSettings::serveTarget).orElse(null));
        Optional<GenericKubernetesResource> current = get(kind, namespace, name);
        String tokenSha256 = current.map(r -> r.getMetadata().getAnnotations()).map(a -> a.get(TOKEN_ANNOTATION))
                .orElse(null);
        GenericKubernetesResource desired;
        if (kind == INFERENCE_SERVICE) {
            desired = inferenceService(request, name, owner, serving);
        } else if (kind == KNATIVE_SERVICE) {
            desired = knativeService(request, name, owner, tokenSha256, serving);
        } else {
            desired = resource(kind, request, name, owner);
            desired.setAdditionalProperty("spec", kind == SeldonServers.MODEL
                    ? SeldonServers.modelSpec(modelDirectoryUrl(request), serving)
                    : SeldonServers.deploymentSpec(modelDirectoryUrl(request), serving));
        }
        cluster.client().genericKubernetesResources(kind).inNamespace(namespace).resource(desired)
                .createOr(op -> op.update());
        // an app that changed its server between versions: the earlier server goes once the new one answers
        String url;
        if (kind == KNATIVE_SERVICE || kind == INFERENCE_SERVICE) {
            url = String.valueOf(status(awaitReady(kind, namespace, name, request.version())).get("url"))
                    .replaceAll("/+$", "") + "/v2/models/" + request.app() + "/infer";
        } else {
            awaitSeldon(kind, namespace, name, request.version());
            url = SeldonServers.url(kind, namespace, name);
        }
        for (ResourceDefinitionContext other : installedServers()) {
            if (other != kind) {
                cluster.client().genericKubernetesResources(other).inNamespace(namespace).withName(name).delete();
            }
        }
        return new Deployment(url);
    }

    /**
     * The kind of server for an app: the one its MLproject names ({@code serving.serve_target}), which the cluster
     * must have; else KServe where installed, else Knative Serving. Seldon is Seldon Core 2 where its Model CRD is
     * installed, else Seldon Core 1.
     */
    private ResourceDefinitionContext server(String target) {
        if (target == null) {
            if (cluster.hasCrd(KSERVE_CRD)) {
                return INFERENCE_SERVICE;
            }
            if (!cluster.hasCrd(KNATIVE_CRD)) {
                throw new StepFailure("the cluster serves neither Knative Services (" + KNATIVE_CRD + ") nor KServe "
                        + "InferenceServices (" + KSERVE_CRD + "): install Knative Serving 1.x (see README, Running "
                        + "on Kubernetes)");
            }
            return KNATIVE_SERVICE;
        }
        return switch (target) {
            case "knative" -> require(KNATIVE_CRD, KNATIVE_SERVICE, "Knative Serving 1.x");
            case "kserve" -> require(KSERVE_CRD, INFERENCE_SERVICE, "KServe");
            case "seldon" -> {
                if (cluster.hasCrd(SeldonServers.V2_CRD)) {
                    yield SeldonServers.MODEL;
                }
                if (cluster.hasCrd(SeldonServers.V1_CRD)) {
                    yield SeldonServers.SELDON_DEPLOYMENT;
                }
                throw new StepFailure("MLproject's serving.serve_target is seldon, and the cluster has neither "
                        + "Seldon Core 2 (" + SeldonServers.V2_CRD + ") nor Seldon Core 1 (" + SeldonServers.V1_CRD
                        + "): install Seldon Core, or choose knative or kserve");
            }
            default -> throw new StepFailure("serving.serve_target '" + target + "' is none of "
                    + String.join(", ", ServingSettings.SERVE_TARGETS));
        };
    }

    private ResourceDefinitionContext require(String crd, ResourceDefinitionContext kind, String product) {
        if (!cluster.hasCrd(crd)) {
            throw new StepFailure("MLproject's serving.serve_target asks for " + product + ", and the cluster has no "
                    + crd + ": install " + product + ", or choose another serve_target");
        }
        return kind;
    }

    /** The kinds of model server installed on the cluster, which an app's earlier version may have used. */
    private List<ResourceDefinitionContext> installedServers() {
        List<ResourceDefinitionContext> kinds = new ArrayList<>(List.of(KNATIVE_SERVICE));
        if (cluster.hasCrd(KSERVE_CRD)) {
            kinds.add(INFERENCE_SERVICE);
        }
        if (cluster.hasCrd(SeldonServers.V2_CRD)) {
            kinds.add(SeldonServers.MODEL);
        }
        if (cluster.hasCrd(SeldonServers.V1_CRD)) {
            kinds.add(SeldonServers.SELDON_DEPLOYMENT);
        }
        return kinds;
    }

    /** The model's directory on the control plane's artifact route (what Seldon's storage initializer copies). */
    private String modelDirectoryUrl(ServeRequest request) {
        return settings.controlPlane().replaceAll("/+$", "") + "/api/v1/artifacts/"
                + dev.fuseml.artifact.ArtifactUri.parse(request.modelUri()).path();
    }

    /** Waits until Seldon serves the version just applied; a failed state or a False Ready names the reason. */
    private void awaitSeldon(ResourceDefinitionContext kind, String namespace, String name, int version)
            throws InterruptedException {
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            GenericKubernetesResource current = get(kind, namespace, name).orElseThrow(() -> new StepFailure(
                    kind.getKind() + " " + namespace + "/" + name + " was deleted while it became ready"));
            Optional<SeldonServers.Readiness> readiness = SeldonServers.readiness(kind, current);
            if (readiness.isPresent() && readiness.get().ready()) {
                return;
            }
            if (readiness.isPresent()) {
                throw new StepFailure(kind.getKind() + " " + namespace + "/" + name + " cannot serve version "
                        + version + ": " + readiness.get().problem());
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new StepFailure(kind.getKind() + " " + namespace + "/" + name + " was not ready within "
                + settings.readyTimeout() + " (fuseml.kubernetes.ready-timeout)");
    }

    @Override
    public void remove(String org, String app) {
        for (ResourceDefinitionContext kind : installedServers()) {
            cluster.client().genericKubernetesResources(kind).inNamespace(org).withName(serviceName(app)).delete();
        }
        cluster.deleteApp(org, app);
    }

    @Override
    public void protect(String org, String app, String tokenSha256) {
        if (cluster.hasCrd(KSERVE_CRD)) {
            throw new IllegalStateException("apps served by KServe take no FuseML prediction token: protect them "
                    + "with the cluster's ingress authentication");
        }
        Optional<GenericKubernetesResource> current = get(KNATIVE_SERVICE, org, serviceName(app));
        if (current.isEmpty()) {
            throw new IllegalStateException("app " + org + "/" + app + " is not served: push it first");
        }
        GenericKubernetesResource service = current.get();
        Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(service.getMetadata()
                .getAnnotations()).orElse(Map.of()));
        if (tokenSha256 == null) {
            annotations.remove(TOKEN_ANNOTATION);
        } else {
            annotations.put(TOKEN_ANNOTATION, tokenSha256);
        }
        service.getMetadata().setAnnotations(annotations);
        setEnv(container(service), "FUSEML_PREDICTION_TOKEN_SHA256", tokenSha256 == null ? "" : tokenSha256);
        cluster.client().genericKubernetesResources(KNATIVE_SERVICE).inNamespace(org).resource(service).update();
    }

    private GenericKubernetesResource knativeService(ServeRequest request, String name, OwnerReference owner,
            String tokenSha256, KubernetesSettings.Serving serving) {
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "model");
        container.put("image", request.environment());
        container.put("command", List.of("python", "/fuseml/fuseml_serve.py"));
        List<Map<String, Object>> env = new ArrayList<>();
        env.add(Map.of("name", "FUSEML_MODEL_NAME", "value", request.app()));
        env.add(Map.of("name", "FUSEML_MODEL_URI", "value", request.modelUri()));
        env.add(Map.of("name", "FUSEML_CONTROL_PLANE", "value", settings.controlPlane()));
        env.add(Map.of("name", "FUSEML_PREDICTION_TOKEN_SHA256", "value", tokenSha256 == null ? "" : tokenSha256));
        env.add(Map.of("name", "FUSEML_TOKEN", "valueFrom", Map.of("secretKeyRef", Map.of("name",
                settings.tokenSecret(), "key", "token"))));
        container.put("env", env);
        container.put("ports", List.of(Map.of("containerPort", 8080)));
        container.put("readinessProbe", Map.of("httpGet", Map.of("path", "/v2/health/ready")));
        container.put("livenessProbe", Map.of("httpGet", Map.of("path", "/v2/health/live"), "periodSeconds", 20));
        container.put("resources", Resources.map(serving.cpu(), serving.memory(), serving.memory()));
        container.put("securityContext", PodSecurity.restrictedContainerMap());
        container.put("volumeMounts", List.of(Map.of("name", "runner", "mountPath", "/fuseml", "readOnly", true)));
        Map<String, Object> podSpec = new LinkedHashMap<>();
        podSpec.put("securityContext", PodSecurity.restrictedPodMap());
        podSpec.put("containers", List.of(container));
        podSpec.put("volumes", List.of(Map.of("name", "runner", "configMap", Map.of("name", Cluster.RUNNER))));
        Map<String, Object> template = new LinkedHashMap<>();
        Map<String, String> podLabels = new LinkedHashMap<>(Cluster.labels(request.app(), Labels.MODEL_SERVER));
        podLabels.put("fuseml.dev/version", String.valueOf(request.version()));
        template.put("metadata", Map.of("labels", podLabels, "annotations", Map.of(
                "autoscaling.knative.dev/min-scale", "0",
                "autoscaling.knative.dev/max-scale", String.valueOf(serving.maxScale()),
                "autoscaling.knative.dev/target", String.valueOf(serving.target()))));
        template.put("spec", podSpec);
        GenericKubernetesResource service = resource(KNATIVE_SERVICE, request, name, owner);
        if (tokenSha256 != null) {
            service.getMetadata().setAnnotations(Map.of(TOKEN_ANNOTATION, tokenSha256));
        }
        service.setAdditionalProperty("spec", Map.of("template", template));
        return service;
    }

    private GenericKubernetesResource inferenceService(ServeRequest request, String name, OwnerReference owner,
            KubernetesSettings.Serving serving) {
        // KServe's own sklearn runtime speaks V2 and reads the pickle the MLflow sklearn flavor writes
        String storage = settings.controlPlane().replaceAll("/+$", "") + "/api/v1/artifacts/"
                + dev.fuseml.artifact.ArtifactUri.parse(request.modelUri()).path() + "/model.pkl";
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("modelFormat", Map.of("name", "sklearn"));
        model.put("protocolVersion", "v2");
        model.put("storageUri", storage);
        model.put("resources", Resources.map(serving.cpu(), serving.memory(), serving.memory()));
        model.put("securityContext", PodSecurity.restrictedContainerMap());
        Map<String, Object> predictor = new LinkedHashMap<>();
        predictor.put("minReplicas", 0);
        predictor.put("maxReplicas", serving.maxScale());
        predictor.put("scaleMetric", "concurrency");
        predictor.put("scaleTarget", serving.target());
        predictor.put("securityContext", PodSecurity.restrictedPodMap());
        predictor.put("model", model);
        GenericKubernetesResource service = resource(INFERENCE_SERVICE, request, name, owner);
        service.setAdditionalProperty("spec", Map.of("predictor", predictor));
        return service;
    }

    private static GenericKubernetesResource resource(ResourceDefinitionContext kind, ServeRequest request,
            String name, OwnerReference owner) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion(kind.getGroup() + "/" + kind.getVersion());
        resource.setKind(kind.getKind());
        resource.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name)
                .withNamespace(request.org()).withLabels(Cluster.labels(request.app(), Labels.MODEL_SERVER))
                .addToLabels("fuseml.dev/version", String.valueOf(request.version()))
                .withOwnerReferences(owner).build());
        return resource;
    }

    /** Waits until the resource is Ready with the version just applied; a False Ready names the reason. */
    private GenericKubernetesResource awaitReady(ResourceDefinitionContext kind, String namespace, String name,
            int version) throws InterruptedException {
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        String last = "no status yet";
        while (System.nanoTime() < deadline) {
            Optional<GenericKubernetesResource> current = get(kind, namespace, name);
            if (current.isEmpty()) {
                throw new StepFailure(kind.getKind() + " " + namespace + "/" + name + " was deleted while it "
                        + "became ready");
            }
            Map<String, Object> status = status(current.get());
            Object generation = current.get().getMetadata().getGeneration();
            boolean observed = generation == null || String.valueOf(generation).equals(String.valueOf(
                    status.get("observedGeneration")));
            Optional<Map<String, Object>> ready = KnativeKinds.condition(current.get(), "Ready");
            if (observed && ready.isPresent() && "True".equals(ready.get().get("status"))
                    && status.get("url") != null) {
                return current.get();
            }
            if (ready.isPresent()) {
                last = "Ready is " + ready.get().get("status") + " (" + ready.get().get("reason") + ": "
                        + ready.get().get("message") + ")";
                if (observed && "False".equals(ready.get().get("status"))) {
                    throw new StepFailure(kind.getKind() + " " + namespace + "/" + name + " cannot serve version "
                            + version + ": " + last);
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new StepFailure(kind.getKind() + " " + namespace + "/" + name + " was not Ready within "
                + settings.readyTimeout() + " (fuseml.kubernetes.ready-timeout): " + last);
    }

    private Optional<GenericKubernetesResource> get(ResourceDefinitionContext kind, String namespace, String name) {
        return Optional.ofNullable(cluster.client().genericKubernetesResources(kind).inNamespace(namespace)
                .withName(name).get());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource resource) {
        Object status = resource.getAdditionalProperties().get("status");
        return status instanceof Map ? (Map<String, Object>) status : Map.of();
    }


    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(GenericKubernetesResource service) {
        Map<String, Object> spec = (Map<String, Object>) service.getAdditionalProperties().get("spec");
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        Map<String, Object> podSpec = (Map<String, Object>) template.get("spec");
        return ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static void setEnv(Map<String, Object> container, String name, String value) {
        List<Map<String, Object>> env = new ArrayList<>((List<Map<String, Object>>) container.getOrDefault("env",
                List.of()));
        env.removeIf(e -> name.equals(e.get("name")));
        env.add(Map.of("name", name, "value", value));
        container.put("env", env);
    }
}
