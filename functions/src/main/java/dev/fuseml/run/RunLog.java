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
    public static final long MAX_BYTES = 32L << 20;
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

    public void append(String runId, String line) {
        appendText(runId, line + "\n");
    }

    /**
     * Appends lines as steps post them; a log that has reached {@link #MAX_BYTES} takes no more, so one chatty
     * training cannot fill the disk.
     */
    public synchronized void appendText(String runId, String text) {
        text = dev.fuseml.process.Redaction.mask(text); // whoever wrote it: credentials in URLs never reach the log
        try {
            Path file = file(runId);
            Files.createDirectories(file.getParent());
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (size >= MAX_BYTES) {
                return;
            }
            if (size + text.length() >= MAX_BYTES) {
                text = text + "[" + Instant.now() + "] [log] the log of this run reached " + (MAX_BYTES >> 20)
                        + " MiB; later lines are dropped\n";
            }
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
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
