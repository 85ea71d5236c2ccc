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

    private static ResourceDefinitionContext of(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }
}
