package dev.fuseml.serving;

/**
 * The process that was predicting a request stopped (it crashed or was killed): the request gets 503 and may be
 * sent again; the worker is replaced.
 */
public class WorkerStoppedException extends java.io.IOException {
    public WorkerStoppedException(String message) {
        super(message);
    }
}
