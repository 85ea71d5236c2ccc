package dev.fuseml.serving.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.MlflowScoringProtocol;

import java.util.Map;

/** KServe's V1 protocol: {@code GET /v1/models/NAME} (ready), {@code POST /v1/models/NAME:predict}. */
final class KServeV1Endpoints implements Endpoints {
    private final ModelSlot slot;

    KServeV1Endpoints(ModelSlot slot) {
        this.slot = slot;
    }

    @Override
    public Route route(String path) {
        if (!path.startsWith("/v1/models/")) {
            return null;
        }
        String rest = path.substring("/v1/models/".length());
        String name = rest.contains(":") ? rest.substring(0, rest.indexOf(':')) : rest;
        if (!name.equals(slot.name())) {
            return Route.notServedHere(name, slot.name());
        }
        if (rest.equals(name)) {
            return new Route("GET", (x, b) -> Map.of("name", slot.name(), "ready", slot.loaded()));
        }
        return rest.equals(name + ":predict") ? new Route("POST", (exchange, body) -> {
            // {"instances": [[...], ...]} in, {"predictions": [...]} out
            JsonNode request = Endpoints.json(exchange, body);
            if (!request.path("instances").isArray()) {
                throw new BadRequestException("a V1 predict request is {\"instances\": [[...], ...]}: one list of "
                        + "feature values per row");
            }
            return Map.of("predictions", slot.predict(MlflowScoringProtocol.parse(request)).predictions());
        }) : null;
    }
}
