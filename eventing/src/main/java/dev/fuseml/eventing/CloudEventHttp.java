package dev.fuseml.eventing;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
                String name = k.toLowerCase(java.util.Locale.ROOT);
                single.put(name, name.startsWith("ce-") ? headerText(name, v.get(0)) : v.get(0));
            }
        });
        boolean structured = single.getOrDefault("content-type", "").startsWith("application/cloudevents");
        if (!structured && !single.containsKey("ce-specversion")) {
            throw new InvalidEventException("not a CloudEvent: missing the ce-specversion header (binary mode) and "
                    + "the content-type is not application/cloudevents+json (structured mode)");
        }
        CloudEvent event;
        try {
            event = HttpMessageFactory.createReader(single, body == null ? new byte[0] : body).toEvent();
        } catch (RuntimeException e) { // the SDK's readers throw several kinds; each means the sender's event is bad
            throw new InvalidEventException("invalid CloudEvent: " + e.getMessage());
        }
        requireAttributes(event);
        requireJsonData(event);
        return event;
    }

    /** CloudEvents 1.0 requires id, source and type, each non-empty (the SDK takes an empty one). */
    private static void requireAttributes(CloudEvent event) {
        for (String[] attribute : new String[][]{{"id", event.getId()}, {"source", event.getSource() == null ? null
                : event.getSource().toString()}, {"type", event.getType()}}) {
            if (attribute[1] == null || attribute[1].isEmpty()) {
                throw new InvalidEventException("the CloudEvent's " + attribute[0] + " is empty: CloudEvents 1.0 "
                        + "requires a non-empty " + attribute[0] + " (ce-" + attribute[0] + " in binary mode)");
            }
        }
    }

    /**
     * Data that says it is JSON must be JSON: stored as it is, it would be written into the structured form of the
     * event (the broker's log) as broken JSON, which no reader could take back.
     */
    private static void requireJsonData(CloudEvent event) {
        String type = event.getDataContentType();
        if (event.getData() == null || type == null) {
            return;
        }
        String mime = type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!mime.equals("application/json") && !mime.endsWith("+json") && !mime.equals("text/json")) {
            return;
        }
        try (com.fasterxml.jackson.core.JsonParser parser = PARSER.createParser(event.getData().toBytes())) {
            while (parser.nextToken() != null) {
                // reading to the end is the check
            }
        } catch (java.io.IOException e) {
            throw new InvalidEventException("the data is not JSON although datacontenttype is " + type + ": send "
                    + "JSON, or name the data's real content type");
        }
    }

    private static final com.fasterxml.jackson.core.JsonFactory PARSER = new com.fasterxml.jackson.core.JsonFactory();

    /** Headers and body of {@code event} in binary content mode. */
    public static Encoded binary(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = {new byte[0]};
        HttpMessageFactory.createWriter((name, value) -> headers.put(name,
                name.toLowerCase(java.util.Locale.ROOT).startsWith("ce-") ? percentEncode(value) : value),
                b -> body[0] = b == null ? new byte[0] : b).writeBinary(event);
        return new Encoded(headers, body[0]);
    }

    /**
     * The HTTP binding's header encoding (CloudEvents HTTP binding 3.1.3.2): in a ce- header, each UTF-8 byte that is
     * a space, a double quote, a percent sign or outside printable ASCII is percent-encoded, so that any string
     * value (a newline, an emoji) survives binary mode.
     */
    static String percentEncode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '%') {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /**
     * A binary-mode {@code ce-} header value as its sender meant it. HTTP servers hand header bytes over as
     * ISO-8859-1 characters; senders differ in what they put there: the binding asks for percent-encoded UTF-8 (ASCII
     * on the wire), some SDKs send raw UTF-8 bytes, and Node's HTTP client sends ISO-8859-1 bytes (the CloudEvents SDK
     * for JavaScript encodes nothing). Lenient in what it accepts: bytes that form UTF-8 are read as UTF-8, other
     * bytes as ISO-8859-1; then percent-escapes are decoded as the binding says.
     *
     * @throws InvalidEventException when percent-escapes decode to bytes that are not UTF-8 text
     */
    public static String headerText(String name, String raw) {
        String text = raw;
        if (hasHighLatin1(raw)) {
            try {
                text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(raw.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
                        .toString();
            } catch (java.nio.charset.CharacterCodingException notUtf8) {
                text = raw; // ISO-8859-1 bytes, as Node sends them
            }
        }
        return percentDecode(name, text);
    }

    private static boolean hasHighLatin1(String s) {
        boolean high = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
                return false; // already decoded text, not header bytes
            }
            high |= c >= 0x80;
        }
        return high;
    }

    /** Decodes {@code %XX} escapes; a {@code %} that starts no escape is kept as it is (lenient). */
    static String percentDecode(String name, String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(value.length());
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()
                    && Character.digit(value.charAt(i + 1), 16) >= 0 && Character.digit(value.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
                i += 3;
            } else {
                int cp = value.codePointAt(i);
                byte[] bytes = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                i += Character.charCount(cp);
            }
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidEventException("header " + name + " cannot be read as text: its percent-escapes are not "
                    + "UTF-8 (encode each UTF-8 byte of the value as %XX, as the CloudEvents HTTP binding says)");
        }
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

    /** The event in a response, if it carries one (binary or structured). */
    public static Optional<CloudEvent> replyOf(Map<String, List<String>> headers, byte[] body) {
        boolean hasEvent = false;
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            hasEvent |= name.equals("ce-specversion") || (name.equals("content-type") && !h.getValue().isEmpty()
                    && h.getValue().get(0).startsWith("application/cloudevents"));
        }
        return hasEvent ? Optional.of(read(headers, body)) : Optional.empty();
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
