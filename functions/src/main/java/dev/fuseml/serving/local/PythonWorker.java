package dev.fuseml.serving.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.Predictor;
import dev.fuseml.state.JsonFiles;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One model version loaded in a Python process ({@code fuseml_worker.py}) of the environment it was trained in, so
 * that the model is unpickled by the same library versions. A worker starts without a model and can wait, warm, as
 * a spare until it is given one. Requests go over stdin/stdout as JSON lines; the
 * process exits when its stdin closes, so it does not outlive the orchestrator.
 */
public final class PythonWorker implements Predictor {
    private static final Path NICE = Path.of("/usr/bin/nice");
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;

    private PythonWorker(Process process) {
        this.process = process;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts a worker and waits until it has imported its libraries; it has no model yet (a warm spare). Its stderr
     * goes to {@code log}.
     */
    public static PythonWorker start(Path python, Path script, Path log, Duration timeout, boolean spare)
            throws IOException {
        return start(python, script, log, timeout, spare, dev.fuseml.process.Sandbox.none("not asked for"), null);
    }

    /**
     * As {@link #start(Path, Path, Path, Duration, boolean)}, the model's code confined to {@code mounts} (its HOME,
     * its environment, the script and the models it may load) in {@code sandbox}.
     */
    public static PythonWorker start(Path python, Path script, Path log, Duration timeout, boolean spare,
            dev.fuseml.process.Sandbox sandbox, dev.fuseml.process.Sandbox.Mounts mounts) throws IOException {
        java.nio.file.Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        if (spare && java.nio.file.Files.isExecutable(NICE)) {
            // A spare warms up while training may run: it must not take the CPU from the user's process.
            command.addAll(List.of(NICE.toString(), "-n", "10"));
        }
        command.addAll(List.of(python.toString(), "-u", script.toString()));
        java.util.Map<String, String> own = new java.util.LinkedHashMap<>();
        if (mounts != null) {
            command = sandbox.wrap(command, dev.fuseml.process.LoggedProcess.prepare(mounts, own), null);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                log.toFile()));
        // The model's code runs here: it sees the machine's basics, none of the orchestrator's own variables.
        builder.environment().clear();
        builder.environment().putAll(dev.fuseml.process.LoggedProcess.basics());
        builder.environment().putAll(own);
        // the environment is shared with the app's other versions and apps: this process must not write into it
        builder.environment().put(dev.fuseml.build.local.Venvs.NO_BYTECODE_ENV, "1");
        Process process = dev.fuseml.process.Sandbox.start(builder);
        PythonWorker worker = new PythonWorker(process);
        JsonNode ready = worker.readAnswer(timeout);
        if (ready == null || !ready.path("ready").asBoolean()) {
            worker.close();
            throw new IOException("the prediction worker did not start with " + python + " (see " + log + ")");
        }
        return worker;
    }

    /** Loads the model this worker serves. */
    public synchronized void load(Path modelFile, String serialization, Duration timeout) throws IOException {
        ObjectNode request = JsonFiles.MAPPER.createObjectNode();
        request.put("load", modelFile.toString());
        request.put("serialization", serialization);
        write(request);
        JsonNode loaded = readAnswer(timeout);
        if (loaded == null || !loaded.path("loaded").asBoolean()) {
            throw new IOException("the prediction worker could not load " + modelFile.getFileName() + ": "
                    + (loaded == null ? "it did not answer" : loaded.path("error").asText()));
        }
    }

    private JsonNode readAnswer(Duration timeout) throws IOException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String text = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return text == null ? null : JsonFiles.MAPPER.readTree(text);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void write(JsonNode request) throws IOException {
        in.write(JsonFiles.MAPPER.writeValueAsString(request));
        in.newLine();
        in.flush();
    }

    @Override
    public synchronized List<Object> predict(Batch batch) throws IOException {
        if (closed) {
            throw new ClosedException();
        }
        ObjectNode request = JsonFiles.MAPPER.createObjectNode();
        request.set("columns", JsonFiles.MAPPER.valueToTree(batch.columns()));
        request.set("data", JsonFiles.MAPPER.valueToTree(batch.rows()));
        String line;
        try {
            write(request);
            line = out.readLine();
        } catch (IOException e) {
            throw new dev.fuseml.serving.WorkerStoppedException("the prediction worker stopped: " + e.getMessage());
        }
        if (line == null) {
            throw new dev.fuseml.serving.WorkerStoppedException("the prediction worker stopped (exit code "
                    + exitCode() + ")");
        }
        JsonNode answer = JsonFiles.MAPPER.readTree(line);
        if (answer.has("error")) {
            String error = answer.get("error").asText();
            if (answer.path("input").asBoolean()) {
                throw new BadRequestException("the model cannot predict on this input: " + error);
            }
            throw new IOException("the model failed: " + error);
        }
        List<Object> predictions = new ArrayList<>();
        for (JsonNode p : answer.path("predictions")) {
            predictions.add(p.isNumber() ? (p.isIntegralNumber() ? (Object) p.asLong() : (Object) p.asDouble())
                    : JsonFiles.MAPPER.convertValue(p, Object.class));
        }
        return predictions;
    }

    private boolean closed;

    private String exitCode() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "none yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for a request in progress (predict holds the lock), then stops the process. */
    @Override
    public synchronized void close() {
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
