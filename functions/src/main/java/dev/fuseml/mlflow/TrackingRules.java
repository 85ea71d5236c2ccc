package dev.fuseml.mlflow;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * MLflow's rules for what is logged (mlflow/utils/validation.py), and FuseML's bounds beside them, each refusal an
 * INVALID_PARAMETER_VALUE that names the rule: every endpoint refuses the same input the same way.
 */
final class TrackingRules {
    static final int MAX_KEY = 250;
    static final int MAX_PARAM_VALUE = 6000;
    static final int MAX_TAG_VALUE = 8000;
    static final int MAX_NAME = 500;
    /** Per run: a bound on what one run may hold, so a runaway loop cannot fill the control plane's disk. */
    static final int MAX_KEYS_PER_RUN = 1000;
    static final int MAX_HISTORY = 200_000;
    static final int MAX_BATCH_METRICS = 1000;
    static final int MAX_BATCH_PARAMS_TAGS = 100;
    static final int MAX_BATCH_TOTAL = 1000;
    /** What a run's logged inputs (datasets with their schemas and profiles) may take, as JSON. */
    static final int MAX_INPUTS_BYTES = 4 << 20;
    private static final Pattern KEY = Pattern.compile("[/\\w.\\- :]+");

    private TrackingRules() {
    }

    /** A metric, param or tag key as MLflow takes it. */
    static String key(String what, String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY || !KEY.matcher(key).matches()
                || key.startsWith("/") || Arrays.asList(key.split("/")).contains("..")) {
            throw MlflowError.invalid("Invalid " + what + " name: '" + (key == null ? "" : key.length() > 300
                    ? key.substring(0, 300) + "..." : key) + "'. Names may only contain alphanumerics, underscores "
                    + "(_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/), at most " + MAX_KEY
                    + " characters, not starting with '/' nor with a '..' segment");
        }
        return key;
    }

    static String value(String what, String key, String value, int max) {
        if (value == null) {
            throw MlflowError.invalid("Missing value for " + what + " '" + key + "'");
        }
        if (value.length() > max) {
            throw MlflowError.invalid(what + " '" + key + "' had length " + value.length() + ", which exceeded "
                    + "length limit of " + max);
        }
        return value;
    }

    /** Tags checked key by key, in a new map. */
    static Map<String, String> tags(Map<String, String> tags) {
        Map<String, String> checked = new java.util.TreeMap<>();
        (tags == null ? Map.<String, String>of() : tags).forEach((k, v) -> checked.put(key("tag", k),
                value("tag", k, v, MAX_TAG_VALUE)));
        return checked;
    }

    /** Params checked key by key, in a new map. */
    static Map<String, String> params(Map<String, String> params) {
        Map<String, String> checked = new java.util.TreeMap<>();
        (params == null ? Map.<String, String>of() : params).forEach((k, v) -> checked.put(key("param", k),
                value("param", k, v, MAX_PARAM_VALUE)));
        return checked;
    }

    static void name(String what, String name) {
        if (name == null || name.isBlank()) {
            throw MlflowError.invalid(what + " must be a non-empty string");
        }
        if (name.length() > MAX_NAME) {
            throw MlflowError.invalid(what + " is longer than " + MAX_NAME + " characters");
        }
    }

    /** MLflow's bounds of one log-batch. */
    static void batch(List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
        if (metrics.size() > MAX_BATCH_METRICS || params.size() > MAX_BATCH_PARAMS_TAGS
                || tags.size() > MAX_BATCH_PARAMS_TAGS
                || metrics.size() + params.size() + tags.size() > MAX_BATCH_TOTAL) {
            throw MlflowError.invalid("A batch logging request can contain at most " + MAX_BATCH_METRICS
                    + " metrics, " + MAX_BATCH_PARAMS_TAGS + " params and " + MAX_BATCH_PARAMS_TAGS + " tags, "
                    + MAX_BATCH_TOTAL + " in all; got " + metrics.size() + " metrics, " + params.size()
                    + " params and " + tags.size() + " tags: split it");
        }
    }

    /** FuseML's bound of what a run's inputs take in all. */
    static void inputsSize(List<com.fasterxml.jackson.databind.JsonNode> inputs) {
        long bytes = 0;
        for (var input : inputs) {
            bytes += input.toString().length();
        }
        if (bytes > MAX_INPUTS_BYTES) {
            throw MlflowError.invalid("a run's inputs take at most " + (MAX_INPUTS_BYTES >> 20) + " MiB as JSON: "
                    + "log a dataset's digest and source, not its data");
        }
    }

    /** FuseML's bound of what one run (or LoggedModel) keeps of a kind. */
    static void perRun(String what, int size) {
        if (size > MAX_KEYS_PER_RUN) {
            throw MlflowError.invalid("a run keeps at most " + MAX_KEYS_PER_RUN + " " + what + ": log the rest to "
                    + "another run or as an artifact");
        }
    }
}
