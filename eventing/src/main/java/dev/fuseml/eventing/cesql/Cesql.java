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
        return name -> {
            Object value;
            try {
                value = event.getAttribute(name);
            } catch (RuntimeException notAContextAttribute) {
                value = null;
            }
            if (value == null) {
                value = event.getExtension(name);
            }
            return normalise(value);
        };
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
