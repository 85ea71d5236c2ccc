package dev.fuseml.eventing.payload;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.trained}: the training process wrote an MLflow model, now stored at {@code modelUri}.
 *
 * @param modelUri an artifact URI any machine can fetch the model directory from ({@code fuseml-artifacts:/...},
 *                 resolved against the control plane, as MLflow resolves {@code mlflow-artifacts:/...})
 */
public record Trained(String repository, String commit, Map<String, String> params, String environment,
        String modelUri, Map<String, Double> metrics) {
}
