package dev.fuseml.train.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.extension.ToolAccess;
import dev.fuseml.step.StepFailure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A registered MLflow tracking server's REST API (2.0), as MLflow's Python client calls it: JSON over HTTP with the
 * extension's credentials ({@code token} as a bearer token, or {@code username} and {@code password}, as
 * {@code MLFLOW_TRACKING_TOKEN} or {@code MLFLOW_TRACKING_USERNAME}/{@code _PASSWORD} give them), and artifacts
 * through its proxy ({@code mlflow server --serve-artifacts}, {@code /api/2.0/mlflow-artifacts/artifacts}).
 */
public final class MlflowServer {
    static final ObjectMapper JSON = dev.fuseml.state.JsonFiles.MAPPER;
    private static final int MAX_ANSWER = 8 << 20;
    private final ToolAccess.Grant server;
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    public MlflowServer(ToolAccess.Grant server, HttpClient http, Duration timeout) {
        this.server = server;
        this.base = URI.create(server.url().replaceAll("/+$", "") + "/");
        this.http = http;
        this.timeout = timeout;
    }

    /** The server's answer: its status and JSON (MLflow's errors are {@code {error_code, message}}). */
    public record Answer(int status, JsonNode json) {
        public boolean ok() {
            return status == 200;
        }

        String error() {
            return json.path("error_code").asText("HTTP " + status) + ": " + json.path("message").asText("");
        }
    }

    public String url() {
        return base.toString().replaceAll("/+$", "");
    }

    public ToolAccess.Grant grant() {
        return server;
    }

    /** The variables MLflow's client reads for this server's credentials. */
    public Map<String, String> credentialVariables() {
        Map<String, String> vars = new LinkedHashMap<>();
        Map<String, String> c = server.credentials();
        if (c.containsKey("username") && c.containsKey("password")) {
            vars.put("MLFLOW_TRACKING_USERNAME", c.get("username"));
            vars.put("MLFLOW_TRACKING_PASSWORD", c.get("password"));
        } else if (c.containsKey("token")) {
            vars.put("MLFLOW_TRACKING_TOKEN", c.get("token"));
        }
        return vars;
    }

    public Answer get(String path, Map<String, String> query) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(resolve(path + query(query))).GET());
    }

    public Answer post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    /** {@link #post}, failing the step when the server does not answer 200. */
    public JsonNode require(String what, String path, Object body) throws IOException, InterruptedException {
        Answer answer = post(path, body);
        if (!answer.ok()) {
            throw refused(what, answer);
        }
        return answer.json();
    }

    /** Downloads one artifact file through the server's proxy, at most {@code maxBytes}. */
    public void download(String artifactPath, Path file, long maxBytes) throws IOException, InterruptedException {
        HttpRequest request = authorized(HttpRequest.newBuilder(resolve("api/2.0/mlflow-artifacts/artifacts/"
                + encodePath(artifactPath))).GET()).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new StepFailure("MLflow server " + server.name() + " answered " + response.statusCode()
                        + " for artifact " + artifactPath + ": " + new String(in.readNBytes(300),
                        StandardCharsets.UTF_8));
            }
            Files.createDirectories(file.getParent());
            Path part = file.resolveSibling(file.getFileName() + ".part");
            try (var out = Files.newOutputStream(part)) {
                long copied = in.transferTo(new java.io.FilterOutputStream(out) {
                    private long written;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        written += len;
                        if (written > maxBytes) {
                            throw new IOException("artifact " + artifactPath + " is larger than " + maxBytes
                                    + " bytes");
                        }
                        out.write(b, off, len);
                    }
                });
                if (copied > maxBytes) {
                    throw new IOException("artifact " + artifactPath + " is larger than " + maxBytes + " bytes");
                }
            }
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    StepFailure refused(String what, Answer answer) {
        String fix = answer.status() == 401 || answer.status() == 403
                ? ": check the extension's credentials (fuseml extensions add " + server.name()
                + " --kind mlflow --url " + url() + " --credentials-file F replaces them)"
                : answer.status() == 404 ? ": is " + url() + " an MLflow tracking server?" : "";
        return new StepFailure("MLflow server " + server.name() + " refused to " + what + " (" + answer.error() + ")"
                + fix);
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response;
        try {
            response = http.send(authorized(request).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
            throw new StepFailure("MLflow server " + server.name() + " at " + url() + " did not answer (" + e
                    + "): start it, or register its right URL (fuseml extensions add " + server.name()
                    + " --kind mlflow --url URL)");
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_ANSWER + 1);
        }
        if (body.length > MAX_ANSWER) {
            throw new StepFailure("MLflow server " + server.name() + " answered more than " + (MAX_ANSWER >> 20)
                    + " MiB to " + request.build().uri().getPath());
        }
        JsonNode json;
        try {
            json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            json = JSON.createObjectNode().put("message", new String(body, 0, Math.min(body.length, 300),
                    StandardCharsets.UTF_8));
        }
        return new Answer(response.statusCode(), json == null ? JSON.createObjectNode() : json);
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        request.timeout(timeout).header("User-Agent", "fuseml");
        Map<String, String> c = server.credentials();
        if (c.containsKey("username") && c.containsKey("password")) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((c.get("username") + ":"
                    + c.get("password")).getBytes(StandardCharsets.UTF_8)));
        } else if (c.containsKey("token")) {
            request.header("Authorization", "Bearer " + c.get("token"));
        }
        return request;
    }

    private URI resolve(String path) {
        return base.resolve(path.replaceAll("^/+", ""));
    }

    private static String query(Map<String, String> query) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.isEmpty() ? "?" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return q.toString();
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String part : path.split("/")) {
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
