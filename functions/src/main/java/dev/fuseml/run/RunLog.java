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

    /** Long-polls waiting for a run's log to grow ({@link #grew}), by run id. */
    private final java.util.Map<String, List<java.util.concurrent.CompletableFuture<Void>>> waiting =
            new java.util.HashMap<>();

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
        List<java.util.concurrent.CompletableFuture<Void>> woken = waiting.remove(runId);
        if (woken != null) {
            // completed off this lock: a waiter's continuation may read the log
            java.util.concurrent.CompletableFuture.runAsync(() -> woken.forEach(f -> f.complete(null)));
        }
    }

    /** The log's size in bytes (0 before its first line). */
    public long size(String runId) {
        try {
            Path file = file(runId);
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Completed when the log is longer than {@code after} bytes: at once when it is already, else at its next line.
     * The caller bounds the wait; a future completed either way is forgotten here.
     */
    public synchronized java.util.concurrent.CompletableFuture<Void> grew(String runId, long after) {
        if (size(runId) > after) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        java.util.concurrent.CompletableFuture<Void> growth = new java.util.concurrent.CompletableFuture<>();
        waiting.computeIfAbsent(runId, k -> new java.util.ArrayList<>()).add(growth);
        growth.whenComplete((r, e) -> forget(runId, growth));
        return growth;
    }

    /** Requests waiting for the run's next line (for tests and metrics). */
    public synchronized int waiters(String runId) {
        return waiting.getOrDefault(runId, List.of()).size();
    }

    private synchronized void forget(String runId, java.util.concurrent.CompletableFuture<Void> growth) {
        List<java.util.concurrent.CompletableFuture<Void>> list = waiting.get(runId);
        if (list != null && list.remove(growth) && list.isEmpty()) {
            waiting.remove(runId);
        }
    }

    /** The last line with text (at most {@code max} characters), read from the log's last 8 KiB; "" for none. */
    public String lastLine(String runId, int max) {
        Path file = file(runId);
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            long size = channel.size();
            int length = (int) Math.min(size, 8192);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(length);
            channel.read(buffer, size - length);
            String[] lines = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String line = lines[i].strip();
                if (!line.isEmpty()) {
                    return line.length() > max ? line.substring(line.length() - max) : line;
                }
            }
            return "";
        } catch (IOException e) {
            return "";
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
