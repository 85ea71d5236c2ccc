package dev.fuseml.eventing;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.rw.CloudEventRWException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * CloudEvents over HTTP with the CloudEvents SDK: reading binary or structured mode, writing binary mode, and the
 * structured JSON form used to keep events on disk.
 */
public final class CloudEventHttp {
    private static final EventFormat JSON = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private CloudEventHttp() {
    }

    /**
     * Reads an event from HTTP headers (any case) and a body, in binary or structured mode.
     *
     * @throws InvalidEventException naming what is wrong, for a 400 answer
     */
    public static CloudEvent read(Map<String, List<String>> headers, byte[] body) {
        Map<String, String> single = new LinkedHashMap<>();
        headers.forEach((k, v) -> {
            if (k != null && v != null && !v.isEmpty()) {
                single.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0));
            }
        });
        boolean structured = single.getOrDefault("content-type", "").startsWith("application/cloudevents");
        if (!structured && !single.containsKey("ce-specversion")) {
            throw new InvalidEventException("not a CloudEvent: missing the ce-specversion header (binary mode) and "
                    + "the content-type is not application/cloudevents+json (structured mode)");
        }
        try {
            return HttpMessageFactory.createReader(single, body == null ? new byte[0] : body).toEvent();
        } catch (CloudEventRWException | IllegalStateException | IllegalArgumentException e) {
            throw new InvalidEventException("invalid CloudEvent: " + e.getMessage());
        }
    }

    /** Headers and body of {@code event} in binary content mode. */
    public static Encoded binary(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = {new byte[0]};
        HttpMessageFactory.createWriter(headers::put, b -> body[0] = b == null ? new byte[0] : b).writeBinary(event);
        return new Encoded(headers, body[0]);
    }

    /** Structured-mode JSON of {@code event}: the form kept in the broker's log. */
    public static byte[] toJson(CloudEvent event) {
        return JSON.serialize(event);
    }

    public static CloudEvent fromJson(byte[] json) {
        return JSON.deserialize(json);
    }

    /** A POST of {@code event} in binary mode; restricted headers (content-length, host) are left to the client. */
    public static HttpRequest.Builder post(URI target, CloudEvent event, Duration timeout) {
        Encoded encoded = binary(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(encoded.body()));
        encoded.headers().forEach(request::header);
        return request;
    }

    /** Sends {@code event} and completes with the response; failures of the transport complete exceptionally. */
    public static CompletableFuture<HttpResponse<byte[]>> send(HttpClient client, URI target, CloudEvent event,
            Duration timeout) {
        return client.sendAsync(post(target, event, timeout).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The event in a response, if it carries one (binary or structured). */
    public static Optional<CloudEvent> replyOf(HttpResponse<byte[]> response) {
        Map<String, List<String>> headers = response.headers().map();
        boolean hasEvent = response.headers().firstValue("ce-specversion").isPresent()
                || response.headers().firstValue("content-type").orElse("").startsWith("application/cloudevents");
        if (!hasEvent) {
            return Optional.empty();
        }
        return Optional.of(read(headers, response.body()));
    }

    /** HTTP headers and body of an encoded event. */
    public record Encoded(Map<String, String> headers, byte[] body) {
    }

    /** The event cannot be read; the message says what is missing or malformed. */
    public static final class InvalidEventException extends RuntimeException {
        public InvalidEventException(String message) {
            super(message);
        }
    }
}
