package dev.fuseml.serving.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.OpenInferenceProtocol;
import dev.fuseml.state.JsonFiles;

import java.util.List;
import java.util.Map;

/**
 * The V2 Open Inference Protocol: server health and metadata, the model's metadata and readiness, and
 * {@code POST /v2/models/NAME[/versions/N]/infer}.
 */
final class OpenInferenceEndpoints implements Endpoints {
    private final ModelSlot slot;

    OpenInferenceEndpoints(ModelSlot slot) {
        this.slot = slot;
    }

    @Override
    public Route route(String path) {
        switch (path) {
            case "/v2/health/live":
                return new Route("GET", (x, b) -> Map.of("live", true));
            case "/v2/health/ready":
                return new Route("GET", (x, b) -> Map.of("ready", slot.require() != null));
            case "/v2":
                return new Route("GET", (x, b) -> Map.of("name", "fuseml", "version", "0.1.0", "extensions",
                        List.of()));
            default:
                break;
        }
        if (!path.startsWith("/v2/models/")) {
            return null;
        }
        String model = "/v2/models/" + slot.name();
        if (!path.equals(model) && !path.startsWith(model + "/")) {
            return Route.notServedHere(path.substring("/v2/models/".length()).split("/")[0], slot.name());
        }
        return switch (path.substring(model.length()).replaceFirst("^/versions/\\d+", "")) {
            case "" -> new Route("GET", (x, b) -> metadata());
            case "/ready" -> new Route("GET", (x, b) -> Map.of("name", slot.name(), "ready",
                    slot.require() != null));
            case "/infer" -> new Route("POST", (exchange, body) -> {
                JsonNode request = Endpoints.json(exchange, body);
                Batch batch = OpenInferenceProtocol.parse(request);
                ModelSlot.Answered answered = slot.predict(batch);
                return OpenInferenceProtocol.response(slot.name(), answered.version(), request.get("id"),
                        answered.predictions());
            });
            default -> null;
        };
    }

    private Object metadata() {
        ModelSlot.Active current = slot.require();
        ObjectNode meta = JsonFiles.MAPPER.createObjectNode();
        meta.put("name", slot.name());
        meta.putArray("versions").add(Integer.toString(current.version()));
        meta.put("platform", current.model().onnx() ? "onnxruntime_onnx"
                : current.model().flavors().contains("sklearn") ? "sklearn" : "mlflow");
        var inputs = meta.putArray("inputs");
        for (MLModel.Column c : current.model().inputs()) {
            var shape = inputs.addObject().put("name", c.name()).put("datatype", datatype(c.type())).putArray("shape");
            if (c.shape() == null) {
                shape.add(-1);
            } else {
                c.shape().forEach(shape::add);
            }
        }
        meta.putArray("outputs").addObject().put("name", "predict").put("datatype", "FP64")
                .putArray("shape").add(-1);
        return meta;
    }

    /** An MLflow signature's column type as the protocol's datatype. */
    static String datatype(String mlflowType) {
        return switch (mlflowType) {
            case "double" -> "FP64";
            case "float" -> "FP32";
            case "long" -> "INT64";
            case "integer" -> "INT32";
            case "boolean" -> "BOOL";
            default -> "BYTES";
        };
    }
}
