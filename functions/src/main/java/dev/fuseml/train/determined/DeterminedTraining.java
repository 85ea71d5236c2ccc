package dev.fuseml.train.determined;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.extension.ToolAccess;
import dev.fuseml.project.Project;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;
import dev.fuseml.step.StepLog;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Training as a Determined experiment (MLproject's {@code training.target: determined}): the project's files are
 * the experiment's context and its entry point's command the experiment's {@code entrypoint} (searcher
 * {@code single}, no restarts); the step follows the experiment until it ends, copies its trials' logs into the run's
 * log, and takes the experiment's latest completed checkpoint as the model. The code's contract on Determined: save
 * the MLflow model directory as the checkpoint (Determined's Core API, {@code core.checkpoint.store_path}) and report
 * metrics as validation metrics; those become the version's metrics. A timeout, or the step's next attempt after a
 * crash, kills the experiment.
 */
public final class DeterminedTraining {
    static final Set<String> TERMINAL = Set.of("STATE_COMPLETED", "STATE_CANCELED", "STATE_ERROR", "STATE_DELETED");
    /** Determined's limit on an experiment's context (harness/determined/common/constants.py), roughly. */
    static final long MAX_CONTEXT_BYTES = 95L << 20;
    static final long MAX_MODEL_BYTES = 2L << 30;
    static final int MAX_LOG_LINES = 5_000;
    static final int MAX_MODEL_FILES = 10_000;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String STEP = dev.fuseml.eventing.Steps.TRAIN;
    private final StepLog log;
    private final HttpClient http;
    private final Duration poll;

    /** @param poll how often the experiment is asked for its state (Determined's SDK asks every 5 s) */
    public DeterminedTraining(StepLog log, HttpClient http, Duration poll) {
        this.log = log;
        this.http = http;
        this.poll = poll;
    }

    /** What to run where. */
    public record Job(RunRef ref, Project project, ToolAccess.Grant cluster, int slots, String metric,
            Path modelDir, Path record, Duration timeout) {
    }

    /**
     * Submits the experiment, follows it, and downloads its checkpoint into {@code modelDir}.
     *
     * @return the metrics the checkpoint's trial reported as validation metrics
     * @throws StepFailure when the experiment errors, is canceled or killed, pauses, or outlives the timeout
     */
    public Map<String, Double> train(Job job) throws Exception {
        DeterminedApi api = new DeterminedApi(job.cluster(), http, Duration.ofMinutes(1));
        api.login();
        killRecorded(api, job);
        JsonNode created = api.call("POST", "api/v1/experiments", Map.of("activate", true, "config", config(job),
                "modelDefinition", context(job.project().dir())), "create the experiment");
        long id = created.path("experiment").path("id").asLong(0);
        if (id <= 0) {
            throw new StepFailure(api.name() + " made an experiment without an id");
        }
        Files.writeString(job.record(), Long.toString(id));
        String run = job.ref().run();
        log.note(run, STEP, "submitted experiment " + id + " to " + api.name());
        java.util.Deque<String> recent = new java.util.ArrayDeque<>();
        String state = "";
        try {
            state = follow(api, job, id, recent);
        } finally {
            if (!TERMINAL.contains(state)) {
                // the step fails or its owner gave it up (a lost lease interrupts it): the experiment must not go on
                try {
                    kill(api, id);
                    log.note(run, STEP, "killed experiment " + id + " on " + api.name());
                } catch (Exception e) {
                    log.note(run, STEP, "could not kill experiment " + id + ": " + e.getMessage());
                }
            }
            Files.deleteIfExists(job.record());
        }
        switch (state) {
            case "STATE_COMPLETED" -> {
            }
            case "STATE_CANCELED" -> throw new StepFailure("experiment " + id + " was canceled or killed on "
                    + api.name() + " before it completed: push again to train again", tail(recent));
            case "STATE_DELETED" -> throw new StepFailure("experiment " + id + " was deleted on " + api.name(),
                    tail(recent));
            default -> throw new StepFailure("experiment " + id + " failed on " + api.name() + " (" + state
                    + "): " + lastLine(recent), tail(recent));
        }
        JsonNode checkpoint = latestCheckpoint(api, id);
        download(api, checkpoint.path("uuid").asText(), job.modelDir());
        log.note(run, STEP, "took checkpoint " + checkpoint.path("uuid").asText() + " of experiment " + id
                + " as the model");
        Map<String, Double> metrics = new LinkedHashMap<>();
        checkpoint.path("training").path("validationMetrics").path("avgMetrics").fields().forEachRemaining(m -> {
            if (m.getValue().isNumber() && Double.isFinite(m.getValue().asDouble())) {
                metrics.put(m.getKey(), m.getValue().asDouble());
            }
        });
        return metrics;
    }

    /**
     * Asks for the experiment's state until it ends, copying its trials' logs; a paused experiment or one that
     * outlives the timeout fails the step (and is killed by the caller).
     *
     * @return the terminal state
     */
    private String follow(DeterminedApi api, Job job, long id, java.util.Deque<String> recent) throws Exception {
        String run = job.ref().run();
        Instant deadline = Instant.now().plus(job.timeout());
        Map<Long, Integer> seen = new HashMap<>();
        String state = "";
        while (true) {
            JsonNode experiment = api.call("GET", "api/v1/experiments/" + id, null, "read experiment " + id)
                    .path("experiment");
            String now = experiment.path("state").asText("STATE_UNSPECIFIED");
            if (!now.equals(state)) {
                log.note(run, STEP, "experiment " + id + ": " + now);
                state = now;
            }
            copyLogs(api, id, seen, run, recent);
            if (TERMINAL.contains(state)) {
                return state;
            }
            if (state.equals("STATE_PAUSED")) {
                throw new StepFailure("experiment " + id + " was paused on " + api.name() + ", so FuseML stopped it: "
                        + "push again to train again", tail(recent));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new StepFailure("experiment " + id + " took longer than " + job.timeout()
                        + " (fuseml.train-timeout) and was killed on " + api.name(), tail(recent));
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** The experiment's configuration (schemas/expconf/v0): the entry point, one trial, the project's slots. */
    static String config(Job job) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", "fuseml " + job.ref().org() + "/" + job.ref().app() + " " + job.ref().run());
        config.put("description", "FuseML run " + job.ref().run());
        config.put("entrypoint", job.project().command());
        // max_length is required by 0.26-0.37 and deprecated (still accepted) by 0.38
        config.put("searcher", Map.of("name", "single", "metric", job.metric(), "max_length", 1));
        config.put("max_restarts", 0);
        config.put("resources", Map.of("slots_per_trial", job.slots()));
        config.put("hyperparameters", Map.of());
        config.put("environment", Map.of("environment_variables", List.of("FUSEML_RUN_ID=" + job.ref().run(),
                "PYTHONUNBUFFERED=1")));
        config.put("labels", List.of("fuseml", job.ref().org(), job.ref().app()));
        return YAML.writeValueAsString(config);
    }

    /** The project's files as Determined's {@code v1File}s: tar type 48, base64 content, mtime as an int64 string. */
    static List<Map<String, Object>> context(Path dir) throws IOException {
        List<Map<String, Object>> files = new ArrayList<>();
        long total = 0;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !dir.relativize(p).toString().startsWith(".git/")).sorted().toList();
        }
        for (Path file : all) {
            long size = Files.size(file);
            total += 4 * ((size + 2) / 3); // the limit is on the base64 the master receives
            if (total > MAX_CONTEXT_BYTES) {
                throw new StepFailure("the project is larger than Determined takes as an experiment's context ("
                        + (MAX_CONTEXT_BYTES >> 20) + " MiB): keep data out of the codeset (DVC, or a path the "
                        + "cluster mounts)");
            }
            byte[] content = Files.readAllBytes(file);
            boolean executable = Files.isExecutable(file);
            Map<String, Object> v1File = new LinkedHashMap<>();
            v1File.put("path", dir.relativize(file).toString().replace('\\', '/'));
            v1File.put("type", 48);
            v1File.put("content", Base64.getEncoder().encodeToString(content));
            v1File.put("mtime", Long.toString(Files.getLastModifiedTime(file).toMillis() / 1000));
            v1File.put("mode", executable ? 0100755 : 0100644);
            v1File.put("uid", 0);
            v1File.put("gid", 0);
            files.add(v1File);
        }
        return files;
    }

    private static JsonNode latestCheckpoint(DeterminedApi api, long id) throws IOException, InterruptedException {
        JsonNode answer = api.call("GET", "api/v1/experiments/" + id + "/checkpoints?sortByAttr=SORT_BY_END_TIME"
                + "&orderBy=ORDER_BY_DESC&states=STATE_COMPLETED&limit=5", null, "list the checkpoints of experiment " + id);
        for (JsonNode checkpoint : answer.path("checkpoints")) {
            if ("STATE_COMPLETED".equals(checkpoint.path("state").asText())
                    && checkpoint.path("uuid").asText("").matches("[0-9a-fA-F-]{8,64}")) {
                return checkpoint;
            }
        }
        throw new StepFailure("experiment " + id + " completed on " + api.name() + " without a checkpoint: save the "
                + "MLflow model directory as one (with core_context.checkpoint.store_path(...) as (path, uuid): "
                + "mlflow.sklearn.save_model(model, path))");
    }

    /**
     * Unpacks the checkpoint into {@code modelDir}: its root is the MLflow model directory (or its {@code model/}
     * folder is, for code that saved the model beside other files). Entries leaving the directory are refused.
     */
    private static void download(DeterminedApi api, String uuid, Path modelDir) throws Exception {
        Path unpacked = modelDir.resolveSibling("checkpoint");
        Files.createDirectories(unpacked);
        long[] total = new long[1];
        int entries = 0;
        try (InputStream body = api.checkpoint(uuid); ZipInputStream zip = new ZipInputStream(body)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (++entries > MAX_MODEL_FILES) {
                    throw new StepFailure("checkpoint " + uuid + " has more than " + MAX_MODEL_FILES + " files");
                }
                Path target = unpacked.resolve(entry.getName()).normalize();
                if (!target.startsWith(unpacked) || entry.getName().startsWith("/")) {
                    throw new StepFailure("checkpoint " + uuid + " has an entry outside it: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                // counted as it is inflated: a small archive can unpack to anything
                try (var out = Files.newOutputStream(target)) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n = zip.read(buffer); n >= 0; n = zip.read(buffer)) {
                        total[0] += n;
                        if (total[0] > MAX_MODEL_BYTES) {
                            throw new StepFailure("checkpoint " + uuid + " unpacks to more than "
                                    + (MAX_MODEL_BYTES >> 30) + " GiB");
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
        }
        Path model = Files.isRegularFile(unpacked.resolve(dev.fuseml.registry.MLModel.FILE)) ? unpacked
                : unpacked.resolve("model");
        if (!Files.isRegularFile(model.resolve(dev.fuseml.registry.MLModel.FILE))) {
            dev.fuseml.workspace.Workspaces.delete(unpacked);
            throw new StepFailure("checkpoint " + uuid + " holds no MLflow model: save the model directory as the "
                    + "checkpoint's root, or as its model/ folder (mlflow.sklearn.save_model(model, path))");
        }
        dev.fuseml.workspace.Workspaces.delete(modelDir);
        Files.move(Files.isDirectory(model) ? model : unpacked, modelDir);
        dev.fuseml.workspace.Workspaces.delete(unpacked);
    }

    /** Appends the trials' log lines not copied yet (the master sends a trial's log from its start each time). */
    private void copyLogs(DeterminedApi api, long id, Map<Long, Integer> seen, String run,
            java.util.Deque<String> recent)
            throws IOException, InterruptedException {
        JsonNode trials = api.call("GET", "api/v1/experiments/" + id + "/trials", null, "list the trials of experiment "
                + id).path("trials");
        for (JsonNode trial : trials) {
            long trialId = trial.path("id").asLong();
            int already = seen.getOrDefault(trialId, 0);
            if (already >= MAX_LOG_LINES) {
                continue;
            }
            List<JsonNode> lines = api.stream("api/v1/trials/" + trialId + "/logs?follow=false", "read the logs of "
                    + "trial " + trialId, MAX_LOG_LINES);
            for (int i = already; i < lines.size(); i++) {
                JsonNode line = lines.get(i);
                String text = line.hasNonNull("log") ? line.path("log").asText() : line.path("message").asText("");
                String clean = text.replaceAll("\\r?\\n$", "");
                log.append(run, clean);
                recent.addLast(clean);
                if (recent.size() > 20) {
                    recent.removeFirst();
                }
            }
            seen.put(trialId, Math.max(already, lines.size()));
        }
    }

    /** An earlier attempt's experiment (the step crashed while it ran) is killed before a new one is made. */
    private void killRecorded(DeterminedApi api, Job job) throws IOException, InterruptedException {
        if (!Files.isRegularFile(job.record())) {
            return;
        }
        String recorded = Files.readString(job.record()).strip();
        Files.deleteIfExists(job.record()); // first: an experiment that cannot be killed must not block every retry
        if (recorded.matches("[0-9]{1,18}")) {
            try {
                kill(api, Long.parseLong(recorded));
                log.note(job.ref().run(), STEP, "killed experiment " + recorded + " of an earlier attempt");
            } catch (StepFailure e) {
                log.note(job.ref().run(), STEP, "could not kill experiment " + recorded + " of an earlier attempt: "
                        + e.getMessage());
            }
        }
    }

    private static void kill(DeterminedApi api, long id) throws IOException, InterruptedException {
        api.call("POST", "api/v1/experiments/" + id + "/kill", null, "kill experiment " + id);
    }

    private static String tail(java.util.Deque<String> recent) {
        return String.join("\n", recent);
    }

    private static String lastLine(java.util.Deque<String> recent) {
        List<String> lines = recent.stream().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "its trials logged nothing" : lines.get(lines.size() - 1).strip();
    }
}
