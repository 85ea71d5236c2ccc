package dev.fuseml.eventing.payload;

import java.util.Map;

/** Data of {@code dev.fuseml.trained}: the training process wrote an MLflow model to {@code modelDir}. */
public record Trained(String commit, Map<String, String> params, String environment, String modelDir,
        Map<String, Double> metrics) {
}
