package dev.fuseml.mlflow;

import java.util.Map;
import java.util.TreeMap;

/**
 * An MLflow experiment, kept by FuseML: every experiment belongs to an org (its name starts {@code ORG/}); an app's
 * is named {@code ORG/APP}, and each training of the app is a run in it.
 *
 * @param slot where its runs' artifacts go: {@code mlflow-artifacts:/ORG/SLOT/RUN/artifacts}; the app's name for
 *             an app's experiment, else {@code mlflow-experiment-ID}
 */
public record Experiment(String id, String org, String name, String slot, String lifecycleStage, long creationTime,
        long lastUpdateTime, Map<String, String> tags) {
    public static final String ACTIVE = "active";
    public static final String DELETED = "deleted";

    public Experiment {
        tags = new TreeMap<>(tags == null ? Map.of() : tags);
    }

    public String artifactLocation() {
        return "mlflow-artifacts:/" + org + "/" + slot;
    }

    Experiment withTag(String key, String value, long now) {
        Map<String, String> t = new TreeMap<>(tags);
        t.put(key, value);
        return new Experiment(id, org, name, slot, lifecycleStage, creationTime, now, t);
    }
}
