package dev.fuseml.kubernetes;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Requests and limits of a container FuseML makes: CPU and memory requested (so the scheduler places it), memory
 * limited (a leak ends the container, not the node). CPU is not limited where latency matters (model servers): a
 * throttled server is slower than a shared core.
 */
public final class Resources {
    /** The git init containers of a training pod. */
    public static final ResourceRequirements GIT = of("100m", "128Mi", "512Mi");

    private Resources() {
    }

    public static ResourceRequirements of(String cpu, String memory, String memoryLimit) {
        return new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity(cpu))
                .addToRequests("memory", new Quantity(memory)).addToLimits("memory", new Quantity(memoryLimit))
                .build();
    }

    /** The same as the map of an untyped resource's container. */
    public static Map<String, Object> map(String cpu, String memory, String memoryLimit) {
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("requests", Map.of("cpu", cpu, "memory", memory));
        resources.put("limits", Map.of("memory", memoryLimit));
        return resources;
    }
}
