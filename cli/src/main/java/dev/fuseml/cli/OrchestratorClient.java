package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The orchestrator's HTTP API as the CLI uses it; every failure becomes a {@link CliException} saying what to do.
 * Plain {@link HttpURLConnection}: java.net.http initialises TLS on creation, which costs the CLI a third of its
 * start-up for an orchestrator it reaches over plain HTTP.
 */
public class OrchestratorClient {
    static final ObjectMapper JSON = new ObjectMapper();
    /** An orchestrator that does not accept in 10 s, or answer in 60 s, is reported rather than waited for. */
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    /** Bytes written between two progress reports of an upload. */
    private static final int CHUNK = 64 * 1024;
    /** Longer than any answer the API holds back: a run's long-poll answers within 10 s. */
    private static final int READ_TIMEOUT_MS = 60_000;
    private final String server;
    private final String authorization;

    /** A status and body. */
    record Reply(int status, byte[] body) {
    }

    /** A client that sends {@code token} (null: none) with every request. */
    public OrchestratorClient(String server, String token) {
        this.server = server.replaceAll("/+$", "");
        this.authorization = token == null || token.isBlank() ? null : "Bearer " + token.strip();
    }

    public OrchestratorClient(String server) {
        this(server, null);
    }

    public String server() {
        return server;
    }

    public JsonNode get(String path) {
        return json(check(exchange("GET", server + path, Map.of(), null, READ_TIMEOUT_MS)));
    }

    /** GET that answers empty on 404, for things that may not exist yet. */
    public Optional<JsonNode> find(String path) {
        Reply reply = exchange("GET", server + path, Map.of(), null, READ_TIMEOUT_MS);
        for (int tries = 0; reply.status() == 429 && tries < 30; tries++) {
            // the orchestrator bounds a token's open long-polls: wait as it says, then ask again
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            reply = exchange("GET", server + path, Map.of(), null, READ_TIMEOUT_MS);
        }
        return reply.status() == 404 ? Optional.empty() : Optional.of(json(check(reply)));
    }

    public String text(String path) {
        return new String(check(exchange("GET", server + path, Map.of(), null, READ_TIMEOUT_MS)).body(),
                StandardCharsets.UTF_8);
    }

    public JsonNode post(String path, Object body) {
        try {
            return json(check(exchange("POST", server + path, Map.of("Content-Type", "application/json"),
                    JSON.writeValueAsBytes(body), READ_TIMEOUT_MS)));
        } catch (IOException e) {
            throw new CliException("cannot encode the request: " + e.getMessage());
        }
    }

    public JsonNode put(String path, Object body) {
        try {
            return json(check(exchange("PUT", server + path, Map.of("Content-Type", "application/json"),
                    JSON.writeValueAsBytes(body), READ_TIMEOUT_MS)));
        } catch (IOException e) {
            throw new CliException("cannot encode the request: " + e.getMessage());
        }
    }

    public JsonNode postText(String path, String yaml) {
        return json(check(exchange("POST", server + path, Map.of("Content-Type", "application/yaml"),
                yaml.getBytes(StandardCharsets.UTF_8), READ_TIMEOUT_MS)));
    }

    public JsonNode upload(String path, byte[] zip) {
        return upload(path, zip, sent -> {
        });
    }

    /** @param sent told the bytes sent so far, after each chunk */
    public JsonNode upload(String path, byte[] zip, java.util.function.LongConsumer sent) {
        return json(check(exchange("POST", server + path, Map.of("Content-Type", "application/zip"), zip,
                READ_TIMEOUT_MS, sent)));
    }

    public void delete(String path) {
        check(exchange("DELETE", server + path, Map.of(), null, READ_TIMEOUT_MS));
    }

    /**
     * Posts a CloudEvent (binary mode) to a broker ingress: a URL, or a path on the orchestrator (on a cluster, where
     * the broker answers inside it only, the control plane takes the org's events and sends them on).
     */
    public void sendEvent(String ingress, CloudEvent event) {
        CloudEventHttp.Encoded encoded = CloudEventHttp.binary(event);
        String url = ingress.startsWith("/") ? server + ingress : ingress;
        check(exchange("POST", url, encoded.headers(), encoded.body(), READ_TIMEOUT_MS));
    }

    /** The orchestrator's status, when one answers at this address. */
    public Optional<JsonNode> status() {
        try {
            Reply reply = exchange("GET", server + "/api/v1/status", Map.of(), null, 2_000);
            return reply.status() == 200 ? Optional.of(json(reply)) : Optional.empty();
        } catch (CliException e) {
            return Optional.empty();
        }
    }

    private Reply exchange(String method, String url, Map<String, String> headers, byte[] body, int timeout) {
        return exchange(method, url, headers, body, timeout, sent -> {
        });
    }

    private Reply exchange(String method, String url, Map<String, String> headers, byte[] body, int timeout,
            java.util.function.LongConsumer sent) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(timeout);
            headers.forEach(connection::setRequestProperty);
            if (authorization != null) {
                connection.setRequestProperty("Authorization", authorization);
            }
            if (body != null) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = connection.getOutputStream()) {
                    for (int at = 0; at < body.length; at += CHUNK) {
                        out.write(body, at, Math.min(CHUNK, body.length - at));
                        sent.accept(Math.min(body.length, at + (long) CHUNK));
                    }
                }
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
            if (in != null) {
                in.close();
            }
            return new Reply(status, bytes);
        } catch (ConnectException e) {
            URI uri = URI.create(url);
            throw new CliException("the orchestrator does not answer at " + uri.getScheme() + "://"
                    + uri.getAuthority() + ": start it with 'fuseml install'");
        } catch (SocketTimeoutException e) {
            throw new CliException("the orchestrator did not answer in time at " + url);
        } catch (IOException e) {
            throw new CliException("cannot reach the orchestrator at " + url + ": " + e.getMessage());
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static Reply check(Reply reply) {
        if (reply.status() / 100 == 2) {
            return reply;
        }
        String message = new String(reply.body(), StandardCharsets.UTF_8);
        try {
            JsonNode error = JSON.readTree(message);
            if (error != null && error.hasNonNull("error")) {
                message = error.get("error").asText();
            }
        } catch (IOException notJson) {
            // keep the body as it is
        }
        try {
            JsonNode problems = JSON.readTree(reply.body()).path("problems");
            if (problems.isArray() && problems.size() > 1) {
                StringBuilder all = new StringBuilder("nothing was applied:");
                problems.forEach(p -> all.append("\n  ").append(p.asText()));
                message = all.toString();
            }
        } catch (IOException notJson) {
            // the message above stands
        }
        if (reply.status() == 401) {
            message += " (the token comes from the config file or $FUSEML_TOKEN; 'fuseml login' stores one)";
        }
        throw new CliException(message.isBlank() ? "the orchestrator answered " + reply.status() : message);
    }

    private static JsonNode json(Reply reply) {
        if (reply.body().length == 0) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(reply.body());
        } catch (IOException e) {
            throw new CliException("the orchestrator answered something that is not JSON: " + e.getMessage());
        }
    }
}
