package dev.fuseml.remote;

import dev.fuseml.step.StepLog;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Run logs posted to the control plane ({@code POST /api/v1/runs/RUN/log}). Lines are buffered and sent every
 * quarter second, so that pip's or the training's output costs a request per batch, not per line; a step's end
 * sends what is left before its result.
 */
public class HttpStepLog implements StepLog, AutoCloseable {
    private static final int TAIL = 50;
    /**
     * What a run's buffer holds at most while the control plane does not take lines: beyond it lines are dropped
     * (with a note), so that memory stays bounded and the process whose output this is never waits on the log.
     */
    static final int MAX_PENDING = 4 << 20;
    /** Lines go in requests of at most this many characters (the control plane takes 1 MiB a request). */
    static final int BATCH_CHARS = 256 * 1024;
    private static final String DROPPED = "[log] the control plane did not take log lines in time; later lines are "
            + "dropped\n";
    private static final Duration FINAL_PATIENCE = Duration.ofMinutes(2);

    private final ControlPlaneHttp http;
    private final Map<String, StringBuilder> pending = new ConcurrentHashMap<>();
    private final Map<String, Deque<String>> tails = new ConcurrentHashMap<>();
    /** One sender per run at a time keeps the lines in order. */
    private final Map<String, Object> sending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fuseml-log");
        t.setDaemon(true);
        return t;
    });

    public HttpStepLog(ControlPlaneHttp http) {
        this.http = http;
        sender.scheduleWithFixedDelay(this::sendAll, 250, 250, TimeUnit.MILLISECONDS);
    }

    @Override
    public void append(String run, String line) {
        line = dev.fuseml.process.Redaction.mask(line); // the failure excerpt too, not only the stored log
        StringBuilder buffer = pending.computeIfAbsent(run, r -> new StringBuilder());
        synchronized (buffer) { // held only to append: sending happens outside it
            if (buffer.length() < MAX_PENDING) {
                buffer.append(line).append('\n');
            } else if (buffer.length() < MAX_PENDING + DROPPED.length() + 1) {
                buffer.append(DROPPED);
            }
        }
        Deque<String> tail = tails.computeIfAbsent(run, r -> new ArrayDeque<>());
        synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > TAIL) {
                tail.removeFirst();
            }
        }
    }

    @Override
    public String tail(String run, int lines) {
        Deque<String> tail = tails.get(run);
        if (tail == null) {
            return "";
        }
        synchronized (tail) {
            List<String> all = new ArrayList<>(tail);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
    }

    /** Characters waiting to be sent for the run. */
    int pendingChars(String run) {
        StringBuilder buffer = pending.get(run);
        if (buffer == null) {
            return 0;
        }
        synchronized (buffer) {
            return buffer.length();
        }
    }

    @Override
    public void flush(String run) {
        send(run, FINAL_PATIENCE);
    }

    @Override
    public void forget(String run) {
        tails.remove(run);
        StringBuilder buffer = pending.get(run);
        if (buffer != null) {
            synchronized (buffer) {
                if (buffer.length() == 0) {
                    pending.remove(run, buffer);
                    sending.remove(run);
                }
            }
        }
    }

    private void sendAll() {
        for (String run : pending.keySet()) {
            try {
                send(run, Duration.ZERO);
            } catch (RuntimeException e) {
                // kept in the buffer; the next tick or the step's end tries again
            }
        }
    }

    /** Sends the run's buffered lines; on failure they go back to the front of the buffer. */
    private void send(String run, Duration patience) {
        StringBuilder buffer = pending.get(run);
        if (buffer == null) {
            return;
        }
        synchronized (sending.computeIfAbsent(run, r -> new Object())) {
            while (true) {
                String text;
                synchronized (buffer) {
                    if (buffer.length() == 0) {
                        return;
                    }
                    int end = Math.min(buffer.length(), BATCH_CHARS);
                    int lastLine = buffer.lastIndexOf("\n", end - 1);
                    end = lastLine >= 0 && end < buffer.length() ? lastLine + 1 : end;
                    text = buffer.substring(0, end);
                    buffer.delete(0, end);
                }
                ControlPlaneHttp.Reply reply;
                try {
                    reply = http.send("POST", "/api/v1/runs/" + run + "/log", "text/plain",
                            HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8), patience);
                } catch (RuntimeException unavailable) {
                    synchronized (buffer) {
                        buffer.insert(0, text);
                    }
                    throw unavailable;
                }
                if (!reply.ok()) { // refused for good (4xx): keeping it would refuse every later line too
                    throw new IllegalStateException("the control plane refused log lines of run " + run + ": "
                            + reply.error());
                }
            }
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        pending.keySet().forEach(run -> {
            try {
                send(run, Duration.ofSeconds(2));
            } catch (RuntimeException ignored) {
                // shutting down
            }
        });
    }
}
