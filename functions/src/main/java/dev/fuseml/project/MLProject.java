package dev.fuseml.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An MLflow {@code MLproject} file: entry points with typed parameters and a command template, and the file that
 * names the environment ({@code python_env} or {@code conda_env}).
 */
public record MLProject(String name, Map<String, EntryPoint> entryPoints, String pythonEnv, String condaEnv) {
    public static final String FILE = "MLproject";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A parameter: MLflow's types are string, float, path and uri; int is taken too. */
    public record Parameter(String name, String type, String defaultValue) {
    }

    public record EntryPoint(String name, String command, Map<String, Parameter> parameters) {
    }

    public static Optional<MLProject> read(Path projectDir) throws InvalidProjectException {
        Path file = projectDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidProjectException("MLproject is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidProjectException("MLproject must be a YAML mapping with an entry_points section");
        }
        JsonNode points = root.path("entry_points");
        if (!points.isObject() || points.isEmpty()) {
            throw new InvalidProjectException("MLproject has no entry_points: add entry_points.main.command, "
                    + "for example 'python train.py'");
        }
        Map<String, EntryPoint> entryPoints = new LinkedHashMap<>();
        for (var it = points.fields(); it.hasNext(); ) {
            var entry = it.next();
            entryPoints.put(entry.getKey(), entryPoint(entry.getKey(), entry.getValue()));
        }
        return Optional.of(new MLProject(root.path("name").asText(null), entryPoints,
                root.path("python_env").asText(null), root.path("conda_env").asText(null)));
    }

    private static EntryPoint entryPoint(String name, JsonNode node) throws InvalidProjectException {
        String command = node.path("command").asText("");
        if (command.isBlank()) {
            throw new InvalidProjectException("MLproject entry point '" + name + "' has no command");
        }
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (var it = node.path("parameters").fields(); it.hasNext(); ) {
            var p = it.next();
            JsonNode spec = p.getValue();
            String type = spec.isTextual() ? spec.asText() : spec.path("type").asText("string");
            if (!Parameters.TYPES.contains(type)) {
                throw new InvalidProjectException("MLproject parameter '" + p.getKey() + "' has type '" + type
                        + "': use one of " + Parameters.TYPES);
            }
            JsonNode def = spec.isObject() ? spec.get("default") : null;
            parameters.put(p.getKey(), new Parameter(p.getKey(), type,
                    def == null || def.isNull() ? null : def.asText()));
        }
        return new EntryPoint(name, command, parameters);
    }

    public EntryPoint entryPoint(String name) throws InvalidProjectException {
        EntryPoint point = entryPoints.get(name);
        if (point == null) {
            throw new InvalidProjectException("MLproject has no entry point '" + name + "' (it has "
                    + entryPoints.keySet() + ")");
        }
        return point;
    }

    static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
