package dev.fuseml.mlflow;

import dev.fuseml.state.JsonFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every logged value of a run's metrics, one JSON line each in {@code runs/ID.history.jsonl}. Appended, not forced:
 * a crash may lose the last values of a history (the run's latest values are forced with its record), never the
 * record. Not thread-safe: the {@link TrackingStore} calls it under its lock.
 */
final class MetricHistory {
    private final Path dir;
    private final Map<String, Integer> sizes = new HashMap<>();

    /** @param dir {@code mlflow/runs} */
    MetricHistory(Path dir) {
        this.dir = dir;
    }

    void append(String runId, List<Metric> metrics) {
        if (metrics.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        try {
            for (Metric m : metrics) {
                lines.append(JsonFiles.MAPPER.writeValueAsString(m)).append('\n');
            }
            Files.createDirectories(dir);
            Files.writeString(file(runId), lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metric history of run " + runId, e);
        }
        sizes.put(runId, size(runId) + metrics.size());
    }

    /** How many values the run's history holds. */
    int size(String runId) {
        return sizes.computeIfAbsent(runId, id -> {
            Path file = file(id);
            if (!Files.isRegularFile(file)) {
                return 0;
            }
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                return (int) lines.filter(l -> !l.isBlank()).count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The values of metric {@code key}, in the order logged. A value logged again with the same timestamp and step
     * counts once, as in MLflow's store (MLflow 3 logs a run's step-0 metrics again with the id of the model it
     * logged).
     */
    List<Metric> read(String runId, String key) {
        Path file = file(runId);
        Set<List<Object>> seen = new HashSet<>();
        List<Metric> all = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return all;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                Metric m;
                try {
                    m = JsonFiles.MAPPER.readValue(line, Metric.class);
                } catch (IOException torn) {
                    continue; // a line a crash cut short: the values before it are whole
                }
                if (m.key().equals(key) && seen.add(List.of(m.value(), m.timestamp(), m.step()))) {
                    all.add(m);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return all;
    }

    private Path file(String runId) {
        return dir.resolve(runId + ".history.jsonl");
    }
}
