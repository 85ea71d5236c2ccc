package dev.fuseml.platform;

import dev.fuseml.broker.DefaultChain;

import java.util.List;

/**
 * What one process of the orchestrator's build runs ({@code fuseml.function}): everything (the embedded default),
 * the control plane alone, or one step function alone, exactly what a Knative Service per step runs.
 */
public record Role(String name) {
    public static final String ALL = "all";
    public static final String CONTROL_PLANE = "control-plane";

    public static Role of(String name) {
        if (ALL.equals(name) || CONTROL_PLANE.equals(name) || DefaultChain.ORDER.contains(name)) {
            return new Role(name);
        }
        throw new IllegalArgumentException("fuseml.function (FUSEML_FUNCTION) is '" + name + "'; it must be one of "
                + List.of(ALL, CONTROL_PLANE) + " or a step " + DefaultChain.ORDER);
    }

    public boolean controlPlane() {
        return ALL.equals(name) || CONTROL_PLANE.equals(name);
    }

    public boolean runsSteps() {
        return !CONTROL_PLANE.equals(name);
    }

    public boolean runs(String step) {
        return ALL.equals(name) || name.equals(step);
    }

    /**
     * Whether a request path belongs to what this process runs: a single function exports only its own path (and
     * Quarkus' health and metrics under {@code /q/}); the control plane alone exports no step.
     */
    public boolean serves(String path) {
        if (ALL.equals(name) || path.startsWith("/q/")) {
            return true;
        }
        String first = path.length() > 1 ? path.substring(1).split("/", 2)[0] : "";
        boolean stepPath = path.equals("/") || DefaultChain.ORDER.contains(first)
                || DefaultChain.SERVE_EXTRAS.containsKey(first);
        if (CONTROL_PLANE.equals(name)) {
            return !stepPath;
        }
        return first.equals(name) || (dev.fuseml.eventing.Steps.SERVE.equals(name)
                && DefaultChain.SERVE_EXTRAS.containsKey(first));
    }
}
