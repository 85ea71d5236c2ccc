package dev.fuseml.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The KServe V2 Open Inference Protocol's infer request and response. One input of shape [N, F] is N rows of F
 * features; several inputs of shape [N] (or [N, 1]) are columns named by the inputs, as KServe's pandas codec reads
 * them.
 */
public final class OpenInferenceProtocol {
    static final Set<String> DATATYPES = Set.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
            "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OpenInferenceProtocol() {
    }

    private record Tensor(String name, List<Long> shape, String datatype, List<Object> data) {
    }

    public static Batch parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new BadRequestException("the request body must be a JSON object with an 'inputs' array "
                    + "(Open Inference Protocol)");
        }
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw new BadRequestException("'inputs' must be a non-empty array of tensors "
                    + "{name, shape, datatype, data}");
        }
        List<Tensor> tensors = new ArrayList<>();
        for (JsonNode input : inputs) {
            tensors.add(tensor(input));
        }
        if (tensors.size() == 1 && tensors.get(0).shape().size() == 2) {
            Tensor t = tensors.get(0);
            int rows = t.shape().get(0).intValue();
            int cols = t.shape().get(1).intValue();
            List<List<Object>> data = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                data.add(new ArrayList<>(t.data().subList(r * cols, (r + 1) * cols)));
            }
            return new Batch(null, data);
        }
        long n = -1;
        for (Tensor t : tensors) {
            boolean column = t.shape().size() == 1 || (t.shape().size() == 2 && t.shape().get(1) == 1);
            if (!column) {
                throw new BadRequestException("input '" + t.name() + "' has shape " + t.shape() + ": send one "
                        + "input of shape [rows, features], or one input of shape [rows] per feature");
            }
            if (n >= 0 && t.shape().get(0) != n) {
                throw new BadRequestException("inputs have different numbers of rows (" + n + " and "
                        + t.shape().get(0) + " in '" + t.name() + "')");
            }
            n = t.shape().get(0);
        }
        List<String> columns = tensors.stream().map(Tensor::name).toList();
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Object> row = new ArrayList<>();
            for (Tensor t : tensors) {
                row.add(t.data().get(r));
            }
            rows.add(row);
        }
        return new Batch(columns, rows);
    }

    private static Tensor tensor(JsonNode input) {
        if (!input.isObject()) {
            throw new BadRequestException("each input must be an object {name, shape, datatype, data}");
        }
        String name = input.path("name").asText(null);
        if (name == null || !input.get("name").isTextual()) {
            throw new BadRequestException("an input has no 'name'");
        }
        String datatype = input.path("datatype").asText(null);
        if (datatype == null || !DATATYPES.contains(datatype)) {
            throw new BadRequestException("input '" + name + "': 'datatype' must be one of " + DATATYPES.stream()
                    .sorted().toList() + ", got " + input.get("datatype"));
        }
        JsonNode shapeNode = input.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.isEmpty()) {
            throw new BadRequestException("input '" + name + "': 'shape' must be a non-empty array of sizes");
        }
        List<Long> shape = new ArrayList<>();
        long expected = 1;
        for (JsonNode d : shapeNode) {
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new BadRequestException("input '" + name + "': shape " + shapeNode
                        + " must hold non-negative integers");
            }
            shape.add(d.asLong());
            expected *= d.asLong();
        }
        JsonNode dataNode = input.get("data");
        if (dataNode == null || !dataNode.isArray()) {
            throw new BadRequestException("input '" + name + "': 'data' must be an array");
        }
        List<Object> data = new ArrayList<>();
        flatten(name, datatype, dataNode, data);
        if (data.size() != expected) {
            throw new BadRequestException("input '" + name + "': shape " + shape + " needs " + expected
                    + " values, got " + data.size());
        }
        return new Tensor(name, shape, datatype, data);
    }

    private static void flatten(String name, String datatype, JsonNode node, List<Object> out) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flatten(name, datatype, v, out);
            } else if ("BYTES".equals(datatype)) {
                if (!v.isTextual()) {
                    throw new BadRequestException("input '" + name + "': BYTES data must be strings, got " + v);
                }
                out.add(v.asText());
            } else if ("BOOL".equals(datatype)) {
                if (!v.isBoolean()) {
                    throw new BadRequestException("input '" + name + "': BOOL data must be true or false, got " + v);
                }
                out.add(v.asBoolean());
            } else {
                if (!v.isNumber()) {
                    throw new BadRequestException("input '" + name + "': " + datatype
                            + " data must be numbers, got " + v);
                }
                out.add(datatype.startsWith("FP") ? (Object) v.asDouble() : (Object) v.asLong());
            }
        }
    }

    /** The infer response: one output tensor of shape [N] holding the predictions. */
    public static ObjectNode response(String model, int version, JsonNode requestId, List<Object> predictions) {
        ObjectNode response = NODES.objectNode();
        response.put("model_name", model);
        response.put("model_version", Integer.toString(version));
        if (requestId != null && requestId.isTextual()) {
            response.set("id", requestId);
        }
        boolean numeric = predictions.stream().allMatch(p -> p instanceof Number);
        boolean integral = numeric && predictions.stream().allMatch(p -> p instanceof Integer || p instanceof Long);
        ObjectNode output = response.putArray("outputs").addObject();
        output.put("name", "predict");
        output.putArray("shape").add(predictions.size());
        output.put("datatype", integral ? "INT64" : numeric ? "FP64" : "BYTES");
        ArrayNode data = output.putArray("data");
        predictions.forEach(p -> data.add(NODES.pojoNode(p)));
        return response;
    }
}
