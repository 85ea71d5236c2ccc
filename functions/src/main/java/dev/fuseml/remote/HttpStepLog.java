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
    /** A buffer this large is sent at once rather than at the next tick. */
    private static final int SEND_AT = 256 * 1024;
    private static final Duration FINAL_PATIENCE = Duration.ofMinutes(2);

    private final ControlPlaneHttp http;
    private final Map<String, StringBuilder> pending = new ConcurrentHashMap<>();
    private final Map<String, Deque<String>> tails = new ConcurrentHashMap<>();
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
        boolean full;
        synchronized (buffer) {
            buffer.append(line).append('\n');
            full = buffer.length() > SEND_AT;
        }
        Deque<String> tail = tails.computeIfAbsent(run, r -> new ArrayDeque<>());
        synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > TAIL) {
                tail.removeFirst();
            }
        }
        if (full) {
            send(run, Duration.ofSeconds(10));
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
        synchronized (buffer) { // one sender per run at a time keeps the lines in order
            if (buffer.length() == 0) {
                return;
            }
            byte[] body = buffer.toString().getBytes(StandardCharsets.UTF_8);
            ControlPlaneHttp.Reply reply = http.send("POST", "/api/v1/runs/" + run + "/log", "text/plain",
                    HttpRequest.BodyPublishers.ofByteArray(body), patience);
            if (!reply.ok()) {
                buffer.setLength(0); // refused for good (4xx): keeping it would refuse every later line too
                throw new IllegalStateException("the control plane refused log lines of run " + run + ": "
                        + reply.error());
            }
            buffer.setLength(0);
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
