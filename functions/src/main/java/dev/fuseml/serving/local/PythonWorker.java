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
 * that the model is unpickled by the same library versions. A worker starts without a model and is then given one.
 * Requests go as JSON lines over its stdin/stdout, or, for a worker forked by its environment's {@link ForkServer},
 * over its connection; it exits when that stream closes, so it does not outlive the orchestrator.
 */
public final class PythonWorker implements Predictor {
    private final Life life;
    private final BufferedWriter in;
    private final BufferedReader out;

    /** What a worker is besides its streams: a process of ours, or a child of a fork server. */
    interface Life {
        boolean alive();

        /** Its exit code, or what is known of it, for an error message. */
        String exitCode();

        /** After its request stream closed: waits a little for it to end, then makes it end. */
        void stop();
    }

    PythonWorker(java.io.InputStream fromWorker, java.io.OutputStream toWorker, Life life) {
        this.life = life;
        this.in = new BufferedWriter(new OutputStreamWriter(toWorker, StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(fromWorker, StandardCharsets.UTF_8));
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

    /** The worker's first answer: whether it started (and imported what it needs). */
    boolean awaitReady(Duration timeout) throws IOException {
        JsonNode ready = readAnswer(timeout);
        return ready != null && ready.path("ready").asBoolean();
    }

    private JsonNode readAnswer(Duration timeout) throws IOException {
        String text = readLine(out, timeout);
        return text == null ? null : JsonFiles.MAPPER.readTree(text);
    }

    /** The next line from a Python process, or null when none comes within {@code timeout} (or the stream ends). */
    static String readLine(BufferedReader reader, Duration timeout) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
                    + life.exitCode() + ")");
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

    @Override
    public boolean alive() {
        return life.alive();
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
        life.stop();
    }
}
