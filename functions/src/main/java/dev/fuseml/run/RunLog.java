package dev.fuseml.run;

import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/** The log of a run: what each step did, and the output of the processes it started. */
@ApplicationScoped
public class RunLog {
    private final RunStore runs;

    public RunLog(RunStore runs) {
        this.runs = runs;
    }

    public Path file(String runId) {
        return runs.logFile(runId);
    }

    /** Appends a line written by the orchestrator itself, stamped and tagged with the step. */
    public void note(String runId, String step, String message) {
        append(runId, "[" + Instant.now() + "] [" + step + "] " + message);
    }

    public synchronized void append(String runId, String line) {
        try {
            Path file = file(runId);
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines, for failure reports. */
    public String tail(String runId, int lines) {
        Path file = file(runId);
        if (!Files.isRegularFile(file)) {
            return "";
        }
        Deque<String> last = new ArrayDeque<>();
        try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
            all.forEach(line -> {
                last.addLast(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
        return String.join("\n", List.copyOf(last));
    }

    public String read(String runId) {
        try {
            Path file = file(runId);
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
