package dev.fuseml.serving.local;

import dev.fuseml.serving.MlflowScoringProtocol;

import java.util.Map;

/** MLflow's scoring server: {@code POST /invocations}, and {@code /ping} and {@code /health} for its probes. */
final class MlflowScoringEndpoints implements Endpoints {
    private final ModelSlot slot;

    MlflowScoringEndpoints(ModelSlot slot) {
        this.slot = slot;
    }

    @Override
    public Route route(String path) {
        return switch (path) {
            case "/ping", "/health" -> new Route("GET", (x, b) -> Map.of("status", "ok"));
            case "/invocations" -> new Route("POST", (exchange, body) -> Map.of("predictions",
                    slot.predict(MlflowScoringProtocol.parse(Endpoints.json(exchange, body))).predictions()));
            default -> null;
        };
    }
}
