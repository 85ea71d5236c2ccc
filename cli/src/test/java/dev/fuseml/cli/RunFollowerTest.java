package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code fuseml push} prints while a run goes: each ended step, and a progress line for the running one. */
class RunFollowerTest {
    private static final Instant START = Instant.now().minusSeconds(30);

    /** Answers the progress long-poll from a script, one answer per request, and records what was asked. */
    static final class Scripted extends FakeOrchestratorClient {
        final Deque<JsonNode> script = new ArrayDeque<>();

        Scripted(List<JsonNode> answers) {
            super(Map.of());
            script.addAll(answers);
        }

        @Override
        public Optional<JsonNode> find(String path) {
            asked.add("GET " + path);
            return Optional.ofNullable(script.poll());
        }
    }

    private static JsonNode progress(long revision, long logSize, String lastLine, String status, String... steps) {
        StringBuilder json = new StringBuilder("{\"run\":{\"app\":\"wine\",\"revision\":" + revision
                + ",\"status\":\"" + status + "\",\"version\":1,\"url\":\"http://x/v2/models/wine/infer\",\"steps\":[");
        for (int i = 0; i < steps.length; i++) {
            String[] s = steps[i].split(":");
            json.append(i > 0 ? "," : "").append("{\"name\":\"").append(s[0]).append("\",\"status\":\"").append(s[1])
                    .append("\",\"started\":\"").append(START).append("\"")
                    .append(s[1].equals("running") ? "" : ",\"ended\":\"" + START.plusMillis(1500) + "\"").append("}");
        }
        json.append("]},\"logSize\":").append(logSize).append(",\"lastLine\":\"").append(lastLine).append("\"}");
        try {
            return OrchestratorClient.JSON.readTree(json.toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final List<JsonNode> RUN = List.of(
            progress(1, 40, "[receive] checked out", "running", "receive:running"),
            progress(2, 120, "Downloading scikit_learn-1.9.1.whl (13.5 MB)", "running", "receive:succeeded",
                    "build:running"),
            progress(2, 180, "Downloading scikit_learn-1.9.1.whl (13.5 MB)", "running", "receive:succeeded",
                    "build:running"),
            progress(3, 260, "epoch 3 rmse=0.71", "running", "receive:succeeded", "build:succeeded",
                    "train:running"),
            progress(4, 300, "served", "succeeded", "receive:succeeded", "build:succeeded", "train:succeeded",
                    "register:succeeded", "serve:succeeded"));

    private static String follow(Scripted client, boolean terminal) throws Exception {
        StringWriter out = new StringWriter();
        int code = new RunFollower(client, new PrintWriter(out), terminal).follow("wine-1", Duration.ofMinutes(1),
                System.nanoTime());
        assertThat(code).isZero();
        return out.toString();
    }

    @Test
    void intoAFileEachNewLatestLineIsAPlainLineWithTheStepAndItsElapsedTime() throws Exception {
        Scripted client = new Scripted(RUN);
        String out = follow(client, false);
        assertThat(out).doesNotContain("\r").doesNotContain("\033");
        List<String> lines = out.lines().toList();
        assertThat(lines.get(0)).matches("  receive   running +[0-9.]+s \\| \\[receive] checked out");
        assertThat(lines.get(1)).matches("  receive   succeeded +1\\.50s");
        assertThat(lines.get(2)).matches("  build     running +[0-9.]+s \\| Downloading scikit_learn-1.9.1.whl "
                + "\\(13.5 MB\\)");
        assertThat(out).as("an unchanged state is not printed twice").containsOnlyOnce("Downloading");
        assertThat(out).contains("train     running", "| epoch 3 rmse=0.71", "Version 1 of wine is served");
        double elapsed = Double.parseDouble(lines.get(2).replaceAll(".*running +([0-9.]+)s.*", "$1"));
        assertThat(elapsed).as("since the step started").isGreaterThanOrEqualTo(30);
        assertThat(client.asked.get(1)).isEqualTo("GET /api/v1/runs/wine-1/progress?afterRevision=1&afterLog=40");
    }

    @Test
    void onATerminalTheProgressLineIsRewrittenInPlaceAndClearedBeforeAStepsResult() throws Exception {
        Scripted client = new Scripted(RUN);
        String out = follow(client, true);
        assertThat(out).contains("\r\033[K  build     running");
        // a step's result replaces the progress line: erase, then the result on a line of its own
        assertThat(out).contains("\r\033[K  build     succeeded");
        assertThat(out.lines().filter(l -> l.contains("succeeded")).count()).isEqualTo(5);
        assertThat(client.asked.get(0)).endsWith("&waitMs=1000"); // the elapsed time ticks each second
    }

    @Test
    void whatTheTrainingPrintedCannotDriveTheTerminal() throws Exception {
        Scripted client = new Scripted(List.of(progress(1, 10, "evil \\u001b]0;title\\u0007", "running",
                "train:running"), progress(2, 20, "", "succeeded", "train:succeeded")));
        String out = follow(client, true);
        assertThat(out).contains("evil \\x1b]0;title\\x07").doesNotContain("\u0007");
    }
}
