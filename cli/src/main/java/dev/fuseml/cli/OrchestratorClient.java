package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.eventing.CloudEventHttp;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/** The orchestrator's HTTP API as the CLI uses it; every failure becomes a {@link CliException} saying what to do. */
public class OrchestratorClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final String server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    public OrchestratorClient(String server) {
        this.server = server.replaceAll("/+$", "");
    }

    public String server() {
        return server;
    }

    public JsonNode get(String path) {
        return json(send(request(path).GET()));
    }

    /** GET that answers empty on 404, for things that may not exist yet. */
    public Optional<JsonNode> find(String path) {
        HttpResponse<byte[]> response = exchange(request(path).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(json(check(response)));
    }

    public String text(String path) {
        return new String(send(request(path).GET()).body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    public JsonNode post(String path, Object body) {
        try {
            return json(send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))));
        } catch (IOException e) {
            throw new CliException("cannot encode the request: " + e.getMessage());
        }
    }

    public JsonNode upload(String path, byte[] zip) {
        return json(send(request(path).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip))));
    }

    public void delete(String path) {
        send(request(path).DELETE());
    }

    /** Posts a CloudEvent (binary mode) to a broker ingress. */
    public void sendEvent(String ingress, CloudEvent event) {
        check(exchange(CloudEventHttp.post(URI.create(ingress), event, Duration.ofSeconds(30))));
    }

    /** True when an orchestrator answers at this address. */
    public Optional<JsonNode> status() {
        try {
            HttpResponse<byte[]> response = http.send(request("/api/v1/status").timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? Optional.of(json(response)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server + path)).timeout(Duration.ofMinutes(2));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        return check(exchange(request));
    }

    private HttpResponse<byte[]> exchange(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        try {
            return http.send(built, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CliException("the orchestrator does not answer at " + built.uri().getScheme() + "://"
                    + built.uri().getAuthority() + ": start it with 'fuseml install'");
        } catch (HttpTimeoutException e) {
            throw new CliException("the orchestrator did not answer in time at " + built.uri());
        } catch (IOException e) {
            throw new CliException("cannot reach the orchestrator at " + built.uri() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private static HttpResponse<byte[]> check(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 == 2) {
            return response;
        }
        String message = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonNode error = JSON.readTree(message);
            if (error != null && error.hasNonNull("error")) {
                message = error.get("error").asText();
            }
        } catch (IOException notJson) {
            // keep the body as it is
        }
        throw new CliException(message.isBlank() ? "the orchestrator answered " + response.statusCode() : message);
    }

    private static JsonNode json(HttpResponse<byte[]> response) {
        if (response.body().length == 0) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException("the orchestrator answered something that is not JSON: " + e.getMessage());
        }
    }
}
