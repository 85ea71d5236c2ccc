package dev.fuseml.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Which of the org's registered tools ({@code fuseml extensions}) an app's training uses, from FuseML's own sections
 * of its MLproject (MLflow ignores them). Each names an extension; a section left out uses FuseML's own part, and a
 * name left out the org's only extension of the kind.
 * <pre>
 * tracking:
 *   server: team-mlflow      # an mlflow extension: the training's MLflow run is made there
 *   experiment: team/wine    # its experiment there (default ORG/APP)
 * training:
 *   target: determined       # local (default: FuseML runs the entry point) or determined
 *   extension: gpu-cluster   # the determined extension (default: the org's only one)
 *   slots: 1                 # Determined's resources.slots_per_trial (default 0: CPU only)
 *   metric: rmse             # the searcher's metric, which the code reports (default validation_loss)
 * data:
 *   remote: team-data        # the dvc-remote extension dvc pull uses (default: the org's only one)
 * </pre>
 */
public record ToolSettings(String trackingServer, String experiment, String trainTarget, String trainExtension,
        Integer slots, String metric, String dataRemote) {
    public static final String LOCAL = "local";
    public static final String DETERMINED = "determined";
    public static final List<String> TRAIN_TARGETS = List.of(LOCAL, DETERMINED);
    public static final ToolSettings NONE = new ToolSettings(null, null, LOCAL, null, null, null, null);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, List<String>> KEYS = Map.of("tracking", List.of("server", "experiment"),
            "training", List.of("target", "extension", "slots", "metric"), "data", List.of("remote"));

    /** {@link #read}, with a refusal turned into the step's failure (its message is the run's cause). */
    public static ToolSettings readOrFail(Path projectDir) {
        try {
            return read(projectDir);
        } catch (InvalidProjectException e) {
            throw new dev.fuseml.step.StepFailure("the project was refused: " + e.getMessage());
        }
    }

    /** The project's choices; {@link #NONE} without an MLproject or those sections. */
    public static ToolSettings read(Path projectDir) throws InvalidProjectException {
        Path file = projectDir.resolve(MLProject.FILE);
        if (!Files.isRegularFile(file)) {
            return NONE;
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            return NONE; // MLProject.read names the YAML error
        }
        if (root == null || !root.isObject()) {
            return NONE;
        }
        for (var section : KEYS.entrySet()) {
            JsonNode node = root.get(section.getKey());
            if (node == null || node.isNull()) {
                continue;
            }
            if (!node.isObject()) {
                throw new InvalidProjectException("MLproject's " + section.getKey() + " must be a mapping of "
                        + String.join(", ", section.getValue()));
            }
            for (var it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!section.getValue().contains(key)) {
                    throw new InvalidProjectException("MLproject's " + section.getKey() + " has '" + key
                            + "': the keys are " + String.join(", ", section.getValue()));
                }
            }
        }
        String target = root.path("training").path("target").asText(LOCAL);
        if (!TRAIN_TARGETS.contains(target)) {
            throw new InvalidProjectException("MLproject's training.target is '" + target + "': it must be one of "
                    + String.join(", ", TRAIN_TARGETS));
        }
        JsonNode slots = root.path("training").get("slots");
        if (slots != null && (!slots.isInt() || slots.asInt() < 0 || slots.asInt() > 64)) {
            throw new InvalidProjectException("MLproject's training.slots is " + slots + ": give a whole number from "
                    + "0 (CPU only) to 64");
        }
        JsonNode experiment = root.path("tracking").get("experiment");
        if (experiment != null && !experiment.isNull() && (!experiment.isTextual() || experiment.asText().isBlank()
                || experiment.asText().length() > 200 || experiment.asText().chars().anyMatch(c -> c < 0x20))) {
            throw new InvalidProjectException("MLproject's tracking.experiment is " + experiment + ": give an MLflow "
                    + "experiment name of at most 200 characters");
        }
        return new ToolSettings(extension(root, "tracking", "server"), experiment == null || experiment.isNull()
                ? null : experiment.asText(), target,
                extension(root, "training", "extension"), slots == null ? null : slots.asInt(),
                metric(root.path("training").get("metric")), extension(root, "data", "remote"));
    }

    /** An extension's name, checked as the registry names them (a DNS label). */
    private static String extension(JsonNode root, String section, String key) throws InvalidProjectException {
        JsonNode value = root.path(section).get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        String name = value.asText();
        if (!value.isTextual() || !dev.fuseml.eventing.Names.valid(name)) {
            throw new InvalidProjectException("MLproject's " + section + "." + key + " is " + value + ": name a "
                    + "registered extension (lower-case letters, digits and '-'; fuseml extensions lists them)");
        }
        return name;
    }

    private static String metric(JsonNode value) throws InvalidProjectException {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || !value.asText().matches("[A-Za-z_][A-Za-z0-9_./-]{0,99}")) {
            throw new InvalidProjectException("MLproject's training.metric is " + value + ": name a metric the code "
                    + "reports (letters, digits, '_', '.', '/', '-'; at most 100)");
        }
        return value.asText();
    }

    /** Whether the entry point runs as a Determined experiment rather than on FuseML's own machines. */
    public boolean trainsOnDetermined() {
        return DETERMINED.equals(trainTarget);
    }

    /** Whether the training's MLflow run is made on a registered MLflow server rather than FuseML's own. */
    public boolean externalTracking() {
        return trackingServer != null;
    }
}
