package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** Follows a run, printing each step as it ends with its duration, until the run succeeds or fails. */
public class RunFollower {
    private static final Duration POLL = Duration.ofMillis(100);
    private final OrchestratorClient client;
    private final PrintWriter out;

    public RunFollower(OrchestratorClient client, PrintWriter out) {
        this.client = client;
        this.out = out;
    }

    /** Returns the exit code: 0 when the run served its model, 1 when it failed. */
    public int follow(String run, Duration timeout, long startedNanos) throws InterruptedException {
        Set<String> printed = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        long revision = -1;
        while (System.nanoTime() < deadline) {
            // Long poll: the orchestrator answers as soon as the run changes past the revision we have seen.
            Optional<JsonNode> found = client.find("/api/v1/runs/" + run + "?afterRevision=" + revision);
            if (found.isPresent()) {
                JsonNode r = found.get();
                revision = r.path("revision").asLong(revision);
                for (JsonNode step : r.path("steps")) {
                    String name = step.path("name").asText();
                    String status = step.path("status").asText();
                    if (!"running".equals(status) && printed.add(name)) {
                        out.printf("  %-9s %-10s %7.2fs%n", name, status, seconds(step));
                        out.flush();
                    }
                }
                String status = r.path("status").asText();
                double total = (System.nanoTime() - startedNanos) / 1e9;
                if ("succeeded".equals(status)) {
                    out.printf("Version %s of %s is served in %.1fs at:%n%s%n", r.path("version").asText(),
                            r.path("app").asText(), total, r.path("url").asText());
                    out.flush();
                    return 0;
                }
                if ("failed".equals(status)) {
                    out.printf("Run %s failed at %s: %s%n", run, r.path("failedStep").asText(),
                            TerminalText.safe(r.path("cause").asText()));
                    String excerpt = r.path("logExcerpt").asText("");
                    if (!excerpt.isBlank()) {
                        out.println("Last lines of its log (fuseml logs " + r.path("app").asText() + "):");
                        excerpt.lines().forEach(l -> out.println("  | " + TerminalText.safe(l)));
                    }
                    out.flush();
                    return 1;
                }
            }
            if (found.isEmpty()) {
                Thread.sleep(POLL.toMillis()); // not received yet: the run record appears with the first step
            }
        }
        throw new CliException("run " + run + " did not end within " + timeout + "; it goes on: 'fuseml runs' "
                + "shows it");
    }

    private static double seconds(JsonNode step) {
        if (!step.hasNonNull("started") || !step.hasNonNull("ended")) {
            return 0;
        }
        return Duration.between(Instant.parse(step.get("started").asText()), Instant.parse(step.get("ended")
                .asText())).toMillis() / 1000.0;
    }
}
