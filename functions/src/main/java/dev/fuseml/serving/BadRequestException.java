package dev.fuseml.serving;

/** A prediction request of the wrong shape: answered 400 with {@code {"error": message}}. */
public class BadRequestException extends RuntimeException {
    public BadRequestException(String message) {
        super(message);
    }
}
