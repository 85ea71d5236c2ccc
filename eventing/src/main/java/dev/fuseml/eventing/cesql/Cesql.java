package dev.fuseml.eventing.cesql;

import io.cloudevents.CloudEvent;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * CloudEvents SQL Expression Language (CESQL) v1.0: a parser and evaluator, checked against the CESQL TCK.
 * Use {@link #parse} once per expression and evaluate it per event.
 */
public final class Cesql {
    private Cesql() {
    }

    /** @throws CesqlParseException naming the position and what was expected */
    public static Expression parse(String expression) {
        return new Parser(expression).parse();
    }

    /** The attributes of a CloudEvent: context attributes and extensions, the time as an RFC 3339 string. */
    public static Expression.Attributes attributesOf(CloudEvent event) {
        return name -> normalise(attribute(event, name));
    }

    /** CloudEvents 1.0's context attributes; any other name is an extension. */
    private static final java.util.Set<String> CONTEXT_ATTRIBUTES = java.util.Set.of("specversion", "id", "source",
            "type", "datacontenttype", "dataschema", "subject", "time");

    /**
     * A context attribute or extension, null when the event has none. Checked against the known names first: the
     * SDK answers an unknown context attribute with an exception, far too slow for a filter's hot path.
     */
    public static Object attribute(CloudEvent event, String name) {
        return CONTEXT_ATTRIBUTES.contains(name) ? event.getAttribute(name) : event.getExtension(name);
    }

    /** Maps a Java value onto CESQL's types: Boolean and Integer stay, the rest becomes a string. */
    public static Object normalise(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Integer) {
            return value;
        }
        if (value instanceof Number n) {
            return n.intValue();
        }
        if (value instanceof OffsetDateTime time) {
            return time.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        }
        if (value instanceof URI uri) {
            return uri.toString();
        }
        if (value instanceof byte[] bytes) {
            return java.util.Base64.getEncoder().encodeToString(bytes);
        }
        return value.toString();
    }
}
