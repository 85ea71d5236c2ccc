package dev.fuseml.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code MLmodel} file of an MLflow model directory: which flavors it has, the file that holds the model, and
 * the input signature when the model was saved with one.
 *
 * @param modelFile     the model file, relative to the model directory
 * @param serialization {@code pickle} or {@code cloudpickle}, or {@link #ONNX} for a model in the onnx flavor
 * @param inputs        input columns of the signature (name, type), empty when there is none
 */
public record MLModel(List<String> flavors, String modelFile, String serialization, List<Column> inputs) {
    public static final String FILE = "MLmodel";
    /** The serialization of a model in the onnx flavor. */
    public static final String ONNX = "onnx";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An input of the signature; {@code shape} for a tensor input ([-1, F]), else null (one value per row). */
    public record Column(String name, String type, List<Long> shape) {
        public Column(String name, String type) {
            this(name, type, null);
        }
    }

    /** Reads and checks {@code dir/MLmodel}; the message of the exception says what the training code must fix. */
    public static MLModel read(Path dir) throws InvalidModelException {
        Path file = dir.resolve(FILE);
        byte[] text;
        try {
            text = Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        } catch (IOException e) {
            throw new InvalidModelException("MLmodel cannot be read: " + e.getMessage());
        }
        Path root = dir.normalize();
        return parse(text, name -> {
            Path model = root.resolve(name).normalize();
            return model.startsWith(root) && Files.isRegularFile(model);
        });
    }

    /**
     * A model from its MLmodel file's bytes (null when there is none) and the files of its directory, wherever they
     * are kept (a directory, a bucket).
     *
     * @param hasFile whether the model directory holds a file at this relative path
     */
    public static MLModel parse(byte[] text, java.util.function.Predicate<String> hasFile)
            throws InvalidModelException {
        if (text == null) {
            throw new InvalidModelException("no MLmodel file in the model directory: save the model in MLflow "
                    + "format into $FUSEML_MODEL_DIR (an MLmodel file and the model file it names)");
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new InvalidModelException("MLmodel is not valid YAML: " + e.getMessage().lines().findFirst()
                    .orElse(""));
        }
        JsonNode flavors = root == null ? null : root.get("flavors");
        if (flavors == null || !flavors.isObject()) {
            throw new InvalidModelException("MLmodel has no flavors: add an sklearn or python_function flavor");
        }
        JsonNode onnx = flavors.get("onnx");
        if (onnx != null) {
            // Served inside the JVM by ONNX Runtime, whatever other flavors the model has.
            String data = onnx.path("data").asText(null);
            if (data == null || data.isBlank()) {
                throw new InvalidModelException("MLmodel's onnx flavor names no model file: set flavors.onnx.data "
                        + "(for example model.onnx)");
            }
            requireInside(hasFile, data);
            return new MLModel(names(flavors), data, ONNX, signatureInputs(root));
        }
        JsonNode sklearn = flavors.get("sklearn");
        JsonNode pyfunc = flavors.get("python_function");
        if (sklearn == null && pyfunc == null) {
            throw new InvalidModelException("MLmodel has flavors " + names(flavors)
                    + " but FuseML serves onnx, sklearn and python_function models: add one of those flavors");
        }
        String modelFile = sklearn != null && sklearn.hasNonNull("pickled_model")
                ? sklearn.get("pickled_model").asText()
                : pyfunc != null ? pyfunc.path("model_path").asText(null) : null;
        if (modelFile == null || modelFile.isBlank()) {
            throw new InvalidModelException("MLmodel names no model file: set flavors.sklearn.pickled_model "
                    + "(or flavors.python_function.model_path)");
        }
        requireInside(hasFile, modelFile);
        String serialization = sklearn != null ? sklearn.path("serialization_format").asText("pickle") : "pickle";
        return new MLModel(names(flavors), modelFile, serialization, signatureInputs(root));
    }

    /** Whether the model runs in the JVM (its onnx flavor) rather than in a Python worker. */
    public boolean onnx() {
        return ONNX.equals(serialization);
    }

    private static void requireInside(java.util.function.Predicate<String> hasFile, String modelFile)
            throws InvalidModelException {
        if (!hasFile.test(modelFile)) {
            throw new InvalidModelException("MLmodel names the model file '" + modelFile
                    + "', which is not in the model directory");
        }
    }

    private static List<Column> signatureInputs(JsonNode root) {
        String inputs = root.path("signature").path("inputs").asText(null);
        List<Column> columns = new ArrayList<>();
        if (inputs == null) {
            return columns;
        }
        try {
            int n = 0;
            for (JsonNode c : JSON.readTree(inputs)) {
                if ("tensor".equals(c.path("type").asText())) {
                    // a tensor signature (MLflow's onnx flavor): its dtype, named as MLflow names column types
                    String dtype = c.path("tensor-spec").path("dtype").asText("float64");
                    List<Long> shape = new ArrayList<>();
                    c.path("tensor-spec").path("shape").forEach(d -> shape.add(d.asLong()));
                    columns.add(new Column(c.path("name").asText("input-" + n), switch (dtype) {
                        case "float32" -> "float";
                        case "int64" -> "long";
                        case "int32" -> "integer";
                        case "bool" -> "boolean";
                        default -> "double";
                    }, shape.isEmpty() ? null : List.copyOf(shape)));
                } else {
                    columns.add(new Column(c.path("name").asText(null), c.path("type").asText("double")));
                }
                n++;
            }
        } catch (IOException ignored) {
            // a signature we cannot read only costs the metadata endpoint its input description
        }
        return columns;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The model directory is not a servable MLflow model. */
    public static class InvalidModelException extends Exception {
        public InvalidModelException(String message) {
            super(message);
        }
    }
}
