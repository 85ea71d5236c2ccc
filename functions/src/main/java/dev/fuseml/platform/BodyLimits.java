package dev.fuseml.platform;

/**
 * The largest request body each kind of path takes, checked from its declared length before anything reads it: only
 * project code and artifact files are large (up to {@code quarkus.http.limits.max-body-size}); an event, a claim, a
 * registration or a batch of log lines is small, and a large one must not be held in memory to be refused.
 */
final class BodyLimits {
    static final long SMALL = 4L << 20;

    private BodyLimits() {
    }

    /** The limit for {@code path}, or -1 where only the server-wide limit applies. */
    static long of(String path) {
        boolean large = path.startsWith("/api/v1/artifacts/") || path.startsWith("/api/2.0/mlflow-artifacts/")
                || path.startsWith("/git/")
                || (path.startsWith("/api/v1/orgs/") && path.endsWith("/codeset"));
        return large ? -1 : SMALL;
    }

    /** Why a request is refused before its body is read: the status and a message that names the fix. */
    record Refusal(int status, String message) {
    }

    /**
     * A refusal when the declared length is over the path's limit (413), or when a small-body path gets a chunked
     * body, whose length is known only once it has been read (411); else null.
     */
    static Refusal refusal(String path, String contentLength, String transferEncoding) {
        long limit = of(path);
        if (limit < 0) {
            return null;
        }
        if (contentLength == null) {
            return transferEncoding != null && transferEncoding.toLowerCase(java.util.Locale.ROOT).contains("chunked")
                    ? new Refusal(411, "a chunked body is not taken at " + path + ": send the request with a "
                            + "Content-Length (at most " + (limit >> 20) + " MiB)")
                    : null;
        }
        if (!contentLength.matches("\\d{1,18}") || Long.parseLong(contentLength) <= limit) {
            return null;
        }
        return new Refusal(413, "the request body is larger than " + (limit >> 20) + " MiB, the limit at " + path
                + ": events, claims and log lines are small; send large data by reference");
    }
}
