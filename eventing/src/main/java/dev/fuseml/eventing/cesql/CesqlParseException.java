package dev.fuseml.eventing.cesql;

/** An expression that is not CESQL; the message says where and what was expected. */
public class CesqlParseException extends IllegalArgumentException {
    public CesqlParseException(String message) {
        super(message);
    }
}
