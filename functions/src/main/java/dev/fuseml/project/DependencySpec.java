package dev.fuseml.project;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The pip requirements of a project, from (in this order) the environment file its MLproject names,
 * {@code python_env.yaml}, the pip part of {@code conda.yaml}, or {@code requirements.txt}.
 *
 * @param source       the file they came from, or null when the project has none
 * @param requirements pip requirement lines
 * @param notes        what was read but not used (conda packages), for the run's log
 */
public record DependencySpec(String source, List<String> requirements, List<String> notes) {

    public static DependencySpec read(Path dir, MLProject project) throws InvalidProjectException {
        if (project != null && project.pythonEnv() != null) {
            return pythonEnv(dir, project.pythonEnv());
        }
        if (project != null && project.condaEnv() != null) {
            return conda(dir, project.condaEnv());
        }
        if (Files.isRegularFile(dir.resolve("python_env.yaml"))) {
            return pythonEnv(dir, "python_env.yaml");
        }
        if (Files.isRegularFile(dir.resolve("conda.yaml"))) {
            return conda(dir, "conda.yaml");
        }
        if (Files.isRegularFile(dir.resolve("requirements.txt"))) {
            return requirementsTxt(dir, "requirements.txt");
        }
        return new DependencySpec(null, List.of(), List.of());
    }

    /**
     * Whether a requirement names {@code distribution} (with any extras, version or marker), compared as pip compares
     * names: case-insensitive, with {@code -}, {@code _} and {@code .} alike.
     */
    public boolean requires(String distribution) {
        String wanted = normalName(distribution);
        return names().stream().anyMatch(name -> normalName(name).equals(wanted));
    }

    /** The distributions the requirements name, as written (without extras, versions or markers). */
    public List<String> names() {
        return requirements.stream().map(r -> r.strip().split("[\\s\\[<>=!~;@,(]", 2)[0])
                .filter(name -> !name.isEmpty()).toList();
    }

    private static String normalName(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    /** Identifies the environment: the same interpreter and requirements give the same hash, so it is reused. */
    public String hash(String interpreter) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(interpreter.getBytes(StandardCharsets.UTF_8));
            for (String r : requirements) {
                sha.update((byte) '\n');
                sha.update(r.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DependencySpec pythonEnv(Path dir, String name) throws InvalidProjectException {
        JsonNode root = yaml(dir, name);
        List<String> reqs = new ArrayList<>();
        for (JsonNode dep : root.path("build_dependencies")) {
            reqs.add(dep.asText());
        }
        for (JsonNode dep : root.path("dependencies")) {
            reqs.add(dep.asText());
        }
        List<String> notes = root.has("python")
                ? List.of("python_env.yaml asks for Python " + root.get("python").asText()
                        + "; the configured interpreter is used")
                : List.of();
        return new DependencySpec(name, List.copyOf(reqs), notes);
    }

    private static DependencySpec conda(Path dir, String name) throws InvalidProjectException {
        JsonNode root = yaml(dir, name);
        List<String> reqs = new ArrayList<>();
        List<String> condaOnly = new ArrayList<>();
        for (JsonNode dep : root.path("dependencies")) {
            if (dep.isObject() && dep.has("pip")) {
                dep.get("pip").forEach(p -> reqs.add(p.asText()));
            } else if (dep.isTextual()) {
                condaOnly.add(dep.asText());
            }
        }
        List<String> notes = condaOnly.isEmpty() ? List.of()
                : List.of(name + ": conda packages " + condaOnly + " are not installed; only its pip part is used");
        return new DependencySpec(name, List.copyOf(reqs), notes);
    }

    private static DependencySpec requirementsTxt(Path dir, String name) throws InvalidProjectException {
        try {
            List<String> reqs = Files.readAllLines(dir.resolve(name), StandardCharsets.UTF_8).stream()
                    .map(l -> l.replaceAll("(^|\\s)#.*$", "").trim()).filter(l -> !l.isEmpty()).toList();
            return new DependencySpec(name, reqs, List.of());
        } catch (IOException e) {
            throw new InvalidProjectException("cannot read " + name + ": " + e.getMessage());
        }
    }

    private static JsonNode yaml(Path dir, String name) throws InvalidProjectException {
        Path file = dir.resolve(name).normalize();
        if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
            throw new InvalidProjectException("the environment file " + name + " named by MLproject is missing");
        }
        try {
            JsonNode root = MLProject.YAML.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new InvalidProjectException(name + " must be a YAML mapping");
            }
            return root;
        } catch (IOException e) {
            throw new InvalidProjectException(name + " is not valid YAML: " + MLProject.firstLine(e.getMessage()));
        }
    }
}
