package dev.fuseml.serving.local;

/** An error a prediction server answers with its own status code. */
final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
        super(message);
        this.status = status;
    }
}
