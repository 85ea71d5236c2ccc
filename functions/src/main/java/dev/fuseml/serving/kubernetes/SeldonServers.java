package dev.fuseml.serving.kubernetes;

import dev.fuseml.kubernetes.KubernetesSettings;
import dev.fuseml.kubernetes.PodSecurity;
import dev.fuseml.kubernetes.Resources;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Seldon Core as an app's model server, in whichever generation the cluster has: Seldon Core 2's {@code Model}
 * (mlops.seldon.io/v1alpha1; scheduled onto the cluster's MLServer servers, reached through the {@code seldon-mesh}
 * service with the model's name) or Seldon Core 1's {@code SeldonDeployment} (machinelearning.seldon.io/v1; one
 * predictor whose graph is Seldon's prepackaged {@code MLFLOW_SERVER}, which reads the MLflow model directory FuseML
 * stores). Both speak the V2 (Open Inference) protocol. The model comes from the control plane's artifact route, as
 * KServe's does. The shapes follow Seldon's own CRD schemas (kept under test resources, checked in tests).
 */
public final class SeldonServers {
    static final String V2_CRD = "models.mlops.seldon.io";
    static final String V1_CRD = "seldondeployments.machinelearning.seldon.io";
    public static final ResourceDefinitionContext MODEL = new ResourceDefinitionContext.Builder().withGroup("mlops.seldon.io")
            .withVersion("v1alpha1").withKind("Model").withPlural("models").withNamespaced(true).build();
    public static final ResourceDefinitionContext SELDON_DEPLOYMENT = new ResourceDefinitionContext.Builder()
            .withGroup("machinelearning.seldon.io").withVersion("v1").withKind("SeldonDeployment")
            .withPlural("seldondeployments").withNamespaced(true).build();
    /** The one predictor of a SeldonDeployment FuseML makes, and its graph's one node. */
    static final String PREDICTOR = "default";
    static final String GRAPH_NODE = "model";

    private SeldonServers() {
    }

    /** Seldon Core 2: a Model, scaled between one replica and the app's most. */
    static Map<String, Object> modelSpec(String storageUri, KubernetesSettings.Serving serving) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("storageUri", storageUri);
        // the capability MLServer's MLflow runtime advertises: Seldon schedules the model onto a server that has it
        spec.put("requirements", List.of("mlflow"));
        spec.put("memory", serving.memory());
        spec.put("minReplicas", 1);
        spec.put("maxReplicas", serving.maxScale());
        return spec;
    }

    /** Seldon Core 1: a SeldonDeployment with the V2 protocol and the prepackaged MLflow server. */
    static Map<String, Object> deploymentSpec(String storageUri, KubernetesSettings.Serving serving) {
        Map<String, Object> graph = new LinkedHashMap<>();
        graph.put("name", GRAPH_NODE);
        graph.put("type", "MODEL");
        graph.put("implementation", "MLFLOW_SERVER");
        graph.put("modelUri", storageUri);
        graph.put("children", List.of());
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", GRAPH_NODE); // Seldon merges it into the server container of the graph node
        container.put("resources", Resources.map(serving.cpu(), serving.memory(), serving.memory()));
        container.put("securityContext", PodSecurity.restrictedContainerMap());
        Map<String, Object> podSpec = new LinkedHashMap<>();
        podSpec.put("containers", List.of(container));
        podSpec.put("securityContext", PodSecurity.restrictedPodMap());
        Map<String, Object> predictor = new LinkedHashMap<>();
        predictor.put("name", PREDICTOR);
        predictor.put("replicas", 1);
        predictor.put("graph", graph);
        predictor.put("componentSpecs", List.of(Map.of("spec", podSpec,
                "hpaSpec", Map.of("minReplicas", 1, "maxReplicas", serving.maxScale()))));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("protocol", "v2");
        spec.put("predictors", List.of(predictor));
        return spec;
    }

    /**
     * Whether the resource serves the version just applied: empty while Seldon works on it, true when it is ready,
     * or the reason it cannot serve.
     */
    static Optional<Readiness> readiness(ResourceDefinitionContext kind, GenericKubernetesResource resource) {
        Map<String, Object> status = map(resource.getAdditionalProperties().get("status"));
        Object generation = resource.getMetadata().getGeneration();
        if (generation != null && status.containsKey("observedGeneration")
                && !String.valueOf(generation).equals(String.valueOf(status.get("observedGeneration")))) {
            return Optional.empty();
        }
        if (kind == SELDON_DEPLOYMENT) {
            String state = String.valueOf(status.getOrDefault("state", ""));
            if (state.equals("Available")) {
                return Optional.of(new Readiness(true, null));
            }
            if (state.equals("Failed")) {
                return Optional.of(new Readiness(false, "state Failed: " + status.getOrDefault("description",
                        "no description")));
            }
            return Optional.empty();
        }
        for (Object c : list(status.get("conditions"))) {
            Map<String, Object> condition = map(c);
            if ("Ready".equals(condition.get("type"))) {
                if ("True".equals(condition.get("status"))) {
                    return Optional.of(new Readiness(true, null));
                }
                if ("False".equals(condition.get("status")) && condition.get("reason") != null) {
                    return Optional.of(new Readiness(false, "Ready is False (" + condition.get("reason") + ": "
                            + condition.get("message") + ")"));
                }
            }
        }
        return Optional.empty();
    }

    record Readiness(boolean ready, String problem) {
    }

    /** Where the app answers V2 requests inside the cluster. */
    static String url(ResourceDefinitionContext kind, String namespace, String name) {
        if (kind == SELDON_DEPLOYMENT) {
            // the predictor's Service, named by Seldon's operator after the deployment and the predictor
            return "http://" + name + "-" + PREDICTOR + "." + namespace + ".svc.cluster.local:8000/v2/models/"
                    + GRAPH_NODE + "/infer";
        }
        // Seldon Core 2 routes by model name through the namespace's mesh (the Seldon-Model header or the path)
        return "http://seldon-mesh." + namespace + ".svc.cluster.local/v2/models/" + name + "/infer";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }
}
