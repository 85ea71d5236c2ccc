package dev.fuseml.eventing.broker;

/** Knative's rules for a subscriber's HTTP status: done, retry, or give up (see knative/specs data-plane.md). */
public final class ResponseCodes {
    private ResponseCodes() {
    }

    public static boolean completed(int status) {
        return status >= 200 && status < 300;
    }

    /** 0 stands for a transport failure (refused connection, timeout), which is retried. */
    public static boolean retriable(int status) {
        return status == 0 || status == 404 || status == 408 || status == 409 || status == 429 || status >= 500;
    }
}
