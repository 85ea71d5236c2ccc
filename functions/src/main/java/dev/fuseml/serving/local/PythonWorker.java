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
 * that the model is unpickled by the same library versions. Requests go over stdin/stdout as JSON lines; the
 * process exits when its stdin closes, so it does not outlive the orchestrator.
 */
public final class PythonWorker implements Predictor {
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;

    private PythonWorker(Process process) {
        this.process = process;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the worker and waits until the model is loaded; stderr goes to {@code log}. */
    public static PythonWorker start(Path python, Path script, Path modelFile, String serialization, Path log,
            Duration timeout) throws IOException {
        java.nio.file.Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(python.toString(), "-u", script.toString(), modelFile.toString(),
                serialization).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        PythonWorker worker = new PythonWorker(process);
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return worker.out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null || !JsonFiles.MAPPER.readTree(line).path("ready").asBoolean()) {
            worker.close();
            throw new IOException("the prediction worker did not load the model (see " + log + ")");
        }
        return worker;
    }

    @Override
    public synchronized List<Object> predict(Batch batch) throws IOException {
        ObjectNode request = JsonFiles.MAPPER.createObjectNode();
        request.set("columns", JsonFiles.MAPPER.valueToTree(batch.columns()));
        request.set("data", JsonFiles.MAPPER.valueToTree(batch.rows()));
        in.write(JsonFiles.MAPPER.writeValueAsString(request));
        in.newLine();
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the prediction worker stopped");
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

    public long pid() {
        return process.pid();
    }

    /** Waits for a request in progress (predict holds the lock), then stops the process. */
    @Override
    public synchronized void close() {
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
