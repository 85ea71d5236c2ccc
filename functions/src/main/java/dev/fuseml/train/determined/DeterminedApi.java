package dev.fuseml.train.determined;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.extension.ToolAccess;
import dev.fuseml.step.StepFailure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Determined master's REST API (v1), as its own CLI and SDK call it (proto/src/determined/api/v1/api.proto): JSON
 * with lowerCamelCase keys, int64 values as strings, states as enum names, errors as {@code {"error": {...}}}, a
 * bearer token from {@code POST /api/v1/auth/login} (or the extension's {@code token}), and checkpoint files from
 * the master's {@code GET /checkpoints/UUID} archive route.
 */
final class DeterminedApi {
    static final ObjectMapper JSON = dev.fuseml.state.JsonFiles.MAPPER;
    private static final int MAX_ANSWER = 16 << 20;
    static final int MAX_LINE = 64 * 1024;
    private final ToolAccess.Grant cluster;
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private String token;

    DeterminedApi(ToolAccess.Grant cluster, HttpClient http, Duration timeout) {
        this.cluster = cluster;
        this.base = URI.create(cluster.url().replaceAll("/+$", "") + "/");
        this.http = http;
        this.timeout = timeout;
        this.token = cluster.credentials().get("token");
    }

    String name() {
        return "Determined cluster " + cluster.name() + " (" + url() + ")";
    }

    String url() {
        return base.toString().replaceAll("/+$", "");
    }

    /** Signs in with the extension's {@code username} and {@code password} unless it gave a {@code token}. */
    void login() throws IOException, InterruptedException {
        if (token != null) {
            return;
        }
        String user = cluster.credentials().get("username");
        if (user == null) {
            throw new StepFailure(name() + " needs credentials: register the extension with a credentials file of "
                    + "username and password (or token)");
        }
        JsonNode answer = call("POST", "api/v1/auth/login", Map.of("username", user, "password",
                cluster.credentials().getOrDefault("password", ""), "isHashed", false), "sign in");
        token = answer.path("token").asText(null);
        if (token == null) {
            throw new StepFailure(name() + " signed in without a token");
        }
    }

    JsonNode call(String method, String path, Object body, String what) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        }
        HttpResponse<InputStream> response = send(request);
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_ANSWER + 1);
        }
        if (bytes.length > MAX_ANSWER) {
            throw new StepFailure(name() + " answered more than " + (MAX_ANSWER >> 20) + " MiB to " + what);
        }
        JsonNode json;
        try {
            json = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (IOException e) {
            json = JSON.createObjectNode();
        }
        if (response.statusCode() != 200) {
            throw refused(what, response.statusCode(), json);
        }
        return json;
    }

    /** The lines of a streamed NDJSON answer ({@code {"result": ...}} each), at most {@code max} of them. */
    List<JsonNode> stream(String path, String what, int max) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET());
        List<JsonNode> results = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                throw refused(what, response.statusCode(), JSON.createObjectNode());
            }
            long[] read = new long[1];
            String line;
            while ((line = line(lines, read)) != null && results.size() < max) {
                if (read[0] > MAX_ANSWER) {
                    break; // enough of a log for one look; the rest is the master's to keep
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException cut) {
                    continue; // a line cut at MAX_LINE
                }
                if (node.has("error")) {
                    throw new StepFailure(name() + " failed to " + what + ": " + node.path("error")
                            .path("message").asText(node.path("error").toString()));
                }
                results.add(node.path("result"));
            }
        }
        return results;
    }

    /**
     * The next line, at most {@value #MAX_LINE} characters of it (a longer one is cut and the rest skipped), or
     * null at the end; {@code read} counts every character read.
     */
    static String line(java.io.Reader in, long[] read) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            read[0]++;
            if (c == '\n') {
                return line.toString();
            }
            if (line.length() < MAX_LINE) {
                line.append((char) c);
            }
        }
        return line.isEmpty() ? null : line.toString();
    }

    /** A checkpoint's files as a zip archive (the master builds it from the checkpoint storage). */
    InputStream checkpoint(String uuid) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(base.resolve("checkpoints/" + uuid))
                .timeout(Duration.ofMinutes(30)).header("Accept", "application/zip").GET());
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                throw new StepFailure(name() + " refused to send checkpoint " + uuid + " (HTTP "
                        + response.statusCode() + ": " + new String(in.readNBytes(300), StandardCharsets.UTF_8)
                        + "); the master sends checkpoints kept in s3, gcs, shared_fs or directory storage");
            }
        }
        return response.body();
    }

    private HttpResponse<InputStream> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.header("User-Agent", "fuseml").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
            throw new StepFailure(name() + " did not answer (" + e + "): check that its master runs, or register "
                    + "its right URL (fuseml extensions add " + cluster.name() + " --kind determined --url URL)");
        }
    }

    private StepFailure refused(String what, int status, JsonNode json) {
        JsonNode error = json.path("error");
        String message = error.isObject() ? error.path("error").asText(error.path("message").asText(error.toString()))
                : json.toString();
        message = message.length() > 300 ? message.substring(0, 300) + "..." : message;
        String fix = status == 401 || status == 403 ? ": check the extension's credentials (fuseml extensions add "
                + cluster.name() + " --kind determined --url " + url() + " --credentials-file F replaces them)"
                : status == 404 ? ": is " + url() + " a Determined master?" : "";
        return new StepFailure(name() + " refused to " + what + " (HTTP " + status + ": " + message + ")" + fix);
    }
}
