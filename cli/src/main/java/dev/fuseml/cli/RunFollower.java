package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Follows a run, printing each step as it ends with its duration, until the run succeeds or fails. While a step
 * runs, a {@link ProgressLine} shows it with its elapsed time and the latest line of the run's log (pip's download,
 * the training's output).
 */
public class RunFollower {
    /** Between asks while the run is not recorded yet: it is, within milliseconds of the push event. */
    private static final Duration POLL = Duration.ofMillis(10);
    /** How long one progress request may wait on a terminal: the elapsed time then ticks once a second. */
    private static final long TERMINAL_WAIT_MS = 1000;
    private final OrchestratorClient client;
    private final PrintWriter out;
    private final boolean terminal;

    public RunFollower(OrchestratorClient client, PrintWriter out) {
        this(client, out, ProgressLine.stdoutIsTerminal());
    }

    public RunFollower(OrchestratorClient client, PrintWriter out, boolean terminal) {
        this.client = client;
        this.out = out;
        this.terminal = terminal;
    }

    /** Returns the exit code: 0 when the run served its model, 1 when it failed. */
    public int follow(String run, Duration timeout, long startedNanos) throws InterruptedException {
        Set<String> printed = new HashSet<>();
        ProgressLine progress = new ProgressLine(out, terminal);
        long deadline = System.nanoTime() + timeout.toNanos();
        long revision = -1;
        long logSize = -1;
        while (System.nanoTime() < deadline) {
            // Long poll: the orchestrator answers as soon as the run changes or its log grows past what we saw.
            Optional<JsonNode> found = client.find("/api/v1/runs/" + run + "/progress?afterRevision=" + revision
                    + "&afterLog=" + logSize + (terminal ? "&waitMs=" + TERMINAL_WAIT_MS : ""));
            if (found.isPresent()) {
                JsonNode r = found.get().path("run");
                revision = r.path("revision").asLong(revision);
                logSize = found.get().path("logSize").asLong(logSize);
                String running = null;
                for (JsonNode step : r.path("steps")) {
                    String name = step.path("name").asText();
                    String status = step.path("status").asText();
                    if ("running".equals(status)) {
                        running = String.format("  %-9s %-10s %7.1fs | %s", name, status, elapsed(step),
                                found.get().path("lastLine").asText(""));
                    } else if (printed.add(name)) {
                        progress.println(String.format("  %-9s %-10s %7.2fs", name, status, seconds(step)));
                    }
                }
                String status = r.path("status").asText();
                double total = (System.nanoTime() - startedNanos) / 1e9;
                if ("succeeded".equals(status)) {
                    progress.println(String.format("Version %s of %s is served in %.1fs at:%n%s",
                            r.path("version").asText(), r.path("app").asText(), total, r.path("url").asText()));
                    return 0;
                }
                if ("failed".equals(status)) {
                    progress.println(String.format("Run %s failed at %s: %s", run, r.path("failedStep").asText(),
                            TerminalText.safe(r.path("cause").asText())));
                    String excerpt = r.path("logExcerpt").asText("");
                    if (!excerpt.isBlank()) {
                        out.println("Last lines of its log (fuseml logs " + r.path("app").asText() + "):");
                        excerpt.lines().forEach(l -> out.println("  | " + TerminalText.safe(l)));
                    }
                    out.flush();
                    return 1;
                }
                if (running != null) {
                    progress.show(running);
                }
            }
            if (found.isEmpty()) {
                Thread.sleep(POLL.toMillis()); // not received yet: the run record appears with the first step
            }
        }
        progress.clear();
        throw new CliException("run " + run + " did not end within " + timeout + "; it goes on: 'fuseml runs' "
                + "shows it");
    }

    /** How long a running step has run, by its start as the orchestrator recorded it. */
    private static double elapsed(JsonNode step) {
        if (!step.hasNonNull("started")) {
            return 0;
        }
        long ms = Duration.between(Instant.parse(step.get("started").asText()), Instant.now()).toMillis();
        return Math.max(0, ms) / 1000.0;
    }

    private static double seconds(JsonNode step) {
        if (!step.hasNonNull("started") || !step.hasNonNull("ended")) {
            return 0;
        }
        return Duration.between(Instant.parse(step.get("started").asText()), Instant.parse(step.get("ended")
                .asText())).toMillis() / 1000.0;
    }
}
