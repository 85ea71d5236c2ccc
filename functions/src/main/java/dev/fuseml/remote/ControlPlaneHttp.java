package dev.fuseml.remote;

import dev.fuseml.step.Patience;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * HTTP to the control plane, the only way steps reach what it keeps (claims, logs, artifacts, the registry).
 * Transport errors and 5xx answers are retried with a growing delay for as long as the caller's patience allows,
 * so a step survives a restart of the control plane.
 */
public final class ControlPlaneHttp {
    /** The same JSON as the records on disk: the control plane answers with those records. */
    public static final ObjectMapper JSON = dev.fuseml.state.JsonFiles.MAPPER;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** A status and body. */
    public record Reply(int status, byte[] body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public JsonNode json() {
            try {
                return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("the control plane answered something that is not JSON", e);
            }
        }

        /** The {@code error} of a JSON error body, or the body. */
        public String error() {
            String text = new String(body, StandardCharsets.UTF_8);
            try {
                JsonNode node = JSON.readTree(body);
                return node != null && node.hasNonNull("error") ? node.get("error").asText() : text;
            } catch (IOException notJson) {
                return text.isBlank() ? "status " + status : text;
            }
        }
    }

    /** The control plane did not answer within the caller's patience. */
    public static class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    private final Supplier<String> base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    /**
     * @param base          the control plane's URL
     * @param authorization the Authorization header every request carries (the deployment's token), or null
     */
    public ControlPlaneHttp(Supplier<String> base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    public ControlPlaneHttp(Supplier<String> base) {
        this(base, null);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url() + path)).timeout(REQUEST_TIMEOUT);
        return authorization == null ? builder : builder.header("Authorization", authorization);
    }

    public String url() {
        return base.get().replaceAll("/+$", "");
    }

    public Reply json(String method, String path, Object body, Duration patience) {
        try {
            byte[] bytes = body == null ? null : JSON.writeValueAsBytes(body);
            return send(method, path, "application/json", bytes == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(bytes), patience);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode the request to " + path, e);
        }
    }

    public Reply send(String method, String path, String contentType, HttpRequest.BodyPublisher body,
            Duration patience) {
        return exchange(() -> request(path).header("Content-Type", contentType).method(method, body).build(), patience, null);
    }

    /** GETs {@code path} into {@code file}; the reply's body is empty on success. */
    public Reply download(String path, Path file, Duration patience) {
        return exchange(() -> request(path).GET().build(), patience, file);
    }

    private Reply exchange(Supplier<HttpRequest> request, Duration patience, Path file) {
        Patience waiting = new Patience(patience);
        String last;
        while (true) {
            HttpRequest r = request.get();
            try {
                Reply reply;
                if (file != null) {
                    HttpResponse<Path> response = http.send(r, HttpResponse.BodyHandlers.ofFile(file));
                    reply = new Reply(response.statusCode(), response.statusCode() / 100 == 2 ? new byte[0]
                            : java.nio.file.Files.readAllBytes(file));
                } else {
                    HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
                    reply = new Reply(response.statusCode(), response.body());
                }
                if (reply.status() / 100 != 5) {
                    return reply;
                }
                last = "status " + reply.status() + ": " + reply.error();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while calling " + r.uri());
            } catch (ConnectException e) {
                last = "connection refused";
            } catch (IOException e) {
                last = e.toString();
            }
            boolean again;
            try {
                again = waiting.pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while calling " + r.uri());
            }
            if (!again) {
                throw new UnavailableException("the control plane at " + url() + " did not answer " + r.method()
                        + " " + r.uri().getPath() + " (" + last + "); check that it runs (fuseml status)");
            }
        }
    }

    /** One path segment, percent-encoded. */
    public static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
