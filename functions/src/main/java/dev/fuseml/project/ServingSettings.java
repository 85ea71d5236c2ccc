package dev.fuseml.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How an app's Python model is served, from the {@code serving} section of its MLproject (FuseML's own; MLflow
 * ignores it). Training copies it into the model directory ({@link #FILE}), so that it travels with the version;
 * what it leaves out, the orchestrator's {@code fuseml.serving-*} settings give.
 * <pre>
 * serving:
 *   max_batch: 32        # rows predicted in one call (1 = no batching)
 *   max_wait_ms: 5       # longest a batch waits for more requests
 *   max_workers: 2       # Python workers at most
 *   idle_timeout_s: 600  # scale to zero after this long without requests
 *   model: model         # which model to serve when the code logged several through MLflow
 *   cpu: 500m            # on a cluster: CPU requested by the model server
 *   memory: 1Gi          # on a cluster: memory requested and limited
 *   max_scale: 10        # on a cluster: most replicas (Knative's max-scale, KServe's maxReplicas)
 *   target: 20           # on a cluster: concurrent requests per replica the autoscaler aims at
 *   serve_target: seldon # on a cluster: knative, kserve or seldon (default: KServe where installed, else Knative)
 * </pre>
 */
public record ServingSettings(Integer maxBatch, Integer maxWaitMs, Integer maxWorkers, Integer idleTimeoutS,
        String cpu, String memory, Integer maxScale, Integer target, String serveTarget) {
    /** The model servers a cluster app can be served by ({@code serving.serve_target}). */
    public static final java.util.List<String> SERVE_TARGETS = dev.fuseml.eventing.payload.Push.SERVE_TARGETS;
    /** Kubernetes' quantity syntax: a user's value is checked before it reaches the API server. */
    private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern.compile(
            "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$");
    private static final java.util.List<String> KEYS = java.util.List.of("max_batch", "max_wait_ms", "max_workers",
            "idle_timeout_s", "model", "cpu", "memory", "max_scale", "target", "serve_target");

    /** The settings of the embedded default's Python workers only. */
    public ServingSettings(Integer maxBatch, Integer maxWaitMs, Integer maxWorkers, Integer idleTimeoutS) {
        this(maxBatch, maxWaitMs, maxWorkers, idleTimeoutS, null, null, null, null, null);
    }

    /** The settings without a serve target (the cluster's default server). */
    public ServingSettings(Integer maxBatch, Integer maxWaitMs, Integer maxWorkers, Integer idleTimeoutS, String cpu,
            String memory, Integer maxScale, Integer target) {
        this(maxBatch, maxWaitMs, maxWorkers, idleTimeoutS, cpu, memory, maxScale, target, null);
    }

    public static final String FILE = "fuseml-serving.json";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The project's settings, or empty without an MLproject or a serving section. */
    public static Optional<ServingSettings> read(Path projectDir) throws InvalidProjectException {
        Path file = projectDir.resolve(MLProject.FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode serving;
        try {
            JsonNode root = YAML.readTree(file.toFile());
            serving = root == null ? null : root.get("serving");
        } catch (IOException e) {
            return Optional.empty(); // MLProject.read names the YAML error
        }
        if (serving == null || serving.isNull()) {
            return Optional.empty();
        }
        if (!serving.isObject()) {
            throw new InvalidProjectException("MLproject's serving must be a mapping of " + String.join(", ",
                    KEYS));
        }
        for (var it = serving.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new InvalidProjectException("MLproject's serving has '" + key + "': the keys are "
                        + String.join(", ", KEYS));
            }
        }
        return Optional.of(new ServingSettings(bounded(serving, "max_batch", 1, 1024),
                bounded(serving, "max_wait_ms", 0, 100), bounded(serving, "max_workers", 1, 8),
                bounded(serving, "idle_timeout_s", 10, 7 * 24 * 3600), quantity(serving, "cpu"),
                quantity(serving, "memory"), bounded(serving, "max_scale", 1, 1000),
                bounded(serving, "target", 1, 10_000), serveTarget(serving)));
    }

    /**
     * The settings a version carries: the project's, with the serve target a push asked for in place of the
     * project's ({@code fuseml push --serve-target}); empty when there are neither.
     */
    public static Optional<ServingSettings> forVersion(Path projectDir, String serveTarget)
            throws InvalidProjectException {
        Optional<ServingSettings> project = read(projectDir);
        if (serveTarget == null) {
            return project;
        }
        if (!SERVE_TARGETS.contains(serveTarget)) {
            throw new InvalidProjectException("serve target '" + serveTarget + "' is not one of "
                    + String.join(", ", SERVE_TARGETS));
        }
        ServingSettings s = project.orElse(new ServingSettings(null, null, null, null));
        return Optional.of(new ServingSettings(s.maxBatch(), s.maxWaitMs(), s.maxWorkers(), s.idleTimeoutS(), s.cpu(),
                s.memory(), s.maxScale(), s.target(), serveTarget));
    }

    private static String serveTarget(JsonNode serving) throws InvalidProjectException {
        JsonNode value = serving.get("serve_target");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || !SERVE_TARGETS.contains(value.asText())) {
            throw new InvalidProjectException("MLproject's serving.serve_target is " + value + ": it must be one of "
                    + String.join(", ", SERVE_TARGETS));
        }
        return value.asText();
    }

    /** A Kubernetes quantity ({@code 500m}, {@code 1Gi}), checked before it reaches the API server. */
    private static String quantity(JsonNode serving, String key) throws InvalidProjectException {
        JsonNode value = serving.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.asText();
        if (!value.isValueNode() || text.length() > 20 || !QUANTITY.matcher(text).matches()) {
            throw new InvalidProjectException("MLproject's serving." + key + " is '" + text + "': it must be a "
                    + "Kubernetes quantity such as 500m or 2 (cpu), 512Mi or 2Gi (memory)");
        }
        return text;
    }

    /**
     * The name of the model to serve when the code logged several through MLflow ({@code serving.model}: an MLflow
     * 2.x artifact path or an MLflow 3.x model name), or null.
     */
    public static String modelName(Path projectDir) {
        Path file = projectDir.resolve(MLProject.FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode model = YAML.readTree(file.toFile()).path("serving").path("model");
            return model.isTextual() && !model.asText().isBlank() && model.asText().length() <= 250
                    ? model.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null; // read() names what is wrong with the file
        }
    }

    private static Integer bounded(JsonNode serving, String key, int min, int max) throws InvalidProjectException {
        JsonNode value = serving.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isInt() || value.asInt() < min || value.asInt() > max) {
            throw new InvalidProjectException("MLproject's serving." + key + " is " + value + ": give a whole "
                    + "number from " + min + " to " + max);
        }
        return value.asInt();
    }
}
