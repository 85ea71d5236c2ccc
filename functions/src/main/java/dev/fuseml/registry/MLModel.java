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
 * @param serialization {@code pickle} or {@code cloudpickle}
 * @param inputs        input columns of the signature (name, type), empty when there is none
 */
public record MLModel(List<String> flavors, String modelFile, String serialization, List<Column> inputs) {
    public static final String FILE = "MLmodel";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Column(String name, String type) {
    }

    /** Reads and checks {@code dir/MLmodel}; the message of the exception says what the training code must fix. */
    public static MLModel read(Path dir) throws InvalidModelException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException("no MLmodel file in the model directory: save the model in MLflow "
                    + "format into $FUSEML_MODEL_DIR (an MLmodel file and the model file it names)");
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidModelException("MLmodel is not valid YAML: " + e.getMessage().lines().findFirst()
                    .orElse(""));
        }
        JsonNode flavors = root == null ? null : root.get("flavors");
        if (flavors == null || !flavors.isObject()) {
            throw new InvalidModelException("MLmodel has no flavors: add an sklearn or python_function flavor");
        }
        JsonNode sklearn = flavors.get("sklearn");
        JsonNode pyfunc = flavors.get("python_function");
        if (sklearn == null && pyfunc == null) {
            throw new InvalidModelException("MLmodel has flavors " + names(flavors)
                    + " but FuseML serves sklearn and python_function models: add one of those flavors");
        }
        String modelFile = sklearn != null && sklearn.hasNonNull("pickled_model")
                ? sklearn.get("pickled_model").asText()
                : pyfunc != null ? pyfunc.path("model_path").asText(null) : null;
        if (modelFile == null || modelFile.isBlank()) {
            throw new InvalidModelException("MLmodel names no model file: set flavors.sklearn.pickled_model "
                    + "(or flavors.python_function.model_path)");
        }
        Path model = dir.resolve(modelFile).normalize();
        if (!model.startsWith(dir.normalize()) || !Files.isRegularFile(model)) {
            throw new InvalidModelException("MLmodel names the model file '" + modelFile
                    + "', which is not in the model directory");
        }
        String serialization = sklearn != null ? sklearn.path("serialization_format").asText("pickle") : "pickle";
        return new MLModel(names(flavors), modelFile, serialization, signatureInputs(root));
    }

    private static List<Column> signatureInputs(JsonNode root) {
        String inputs = root.path("signature").path("inputs").asText(null);
        List<Column> columns = new ArrayList<>();
        if (inputs == null) {
            return columns;
        }
        try {
            for (JsonNode c : JSON.readTree(inputs)) {
                columns.add(new Column(c.path("name").asText(null), c.path("type").asText("double")));
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
