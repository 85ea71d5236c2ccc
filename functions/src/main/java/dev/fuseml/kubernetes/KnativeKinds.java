package dev.fuseml.kubernetes;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** The custom resources FuseML makes on a cluster, for fabric8's generic client (their CRDs are Knative's, KServe's). */
public final class KnativeKinds {
    public static final ResourceDefinitionContext SERVICE = of("serving.knative.dev", "v1", "Service", "services");
    public static final ResourceDefinitionContext BROKER = of("eventing.knative.dev", "v1", "Broker", "brokers");
    public static final ResourceDefinitionContext TRIGGER = of("eventing.knative.dev", "v1", "Trigger", "triggers");
    public static final ResourceDefinitionContext INFERENCE_SERVICE = of("serving.kserve.io", "v1beta1",
            "InferenceService", "inferenceservices");

    private KnativeKinds() {
    }

    /** A condition of a Knative (or KServe) resource's status, such as Ready, as its controller wrote it. */
    @SuppressWarnings("unchecked")
    public static java.util.Optional<java.util.Map<String, Object>> condition(
            io.fabric8.kubernetes.api.model.GenericKubernetesResource resource, String type) {
        if (!(resource.getAdditionalProperties().get("status") instanceof java.util.Map<?, ?> status)
                || !(status.get("conditions") instanceof java.util.List<?> conditions)) {
            return java.util.Optional.empty();
        }
        for (Object c : conditions) {
            if (c instanceof java.util.Map<?, ?> map && type.equals(map.get("type"))) {
                return java.util.Optional.of((java.util.Map<String, Object>) map);
            }
        }
        return java.util.Optional.empty();
    }

    private static ResourceDefinitionContext of(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }
}
