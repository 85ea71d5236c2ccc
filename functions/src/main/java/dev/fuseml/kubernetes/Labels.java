package dev.fuseml.kubernetes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kubernetes' recommended labels ({@code app.kubernetes.io/*}), on every object FuseML makes and every manifest in
 * config/: what it is ({@code name}), its role ({@code component}), that it belongs to FuseML ({@code part-of}) and
 * that FuseML manages it ({@code managed-by}), so that {@code kubectl get all -l app.kubernetes.io/part-of=fuseml}
 * finds them and dashboards group them.
 */
public final class Labels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String FUSEML = "fuseml";

    /** Components of what FuseML makes for users' apps. */
    public static final String MODEL_SERVER = "model-server";
    public static final String TRAINING = "training";
    public static final String IMAGE_BUILD = "image-build";
    public static final String EVENTING = "eventing";
    public static final String ACCESS = "access";
    public static final String RUNNER = "runner";

    private Labels() {
    }

    /** The four labels, {@code name} made a valid label value. */
    public static Map<String, String> of(String name, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, Names.label(name));
        labels.put(PART_OF, FUSEML);
        labels.put(COMPONENT, component);
        labels.put(MANAGED_BY, FUSEML);
        return labels;
    }

    /** Adds the four labels to {@code existing} (a copy), keeping what it set itself. */
    public static Map<String, String> onto(Map<String, String> existing, String name, String component) {
        Map<String, String> labels = new LinkedHashMap<>(of(name, component));
        if (existing != null) {
            labels.putAll(existing);
        }
        return labels;
    }
}
