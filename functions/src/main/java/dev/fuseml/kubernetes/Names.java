package dev.fuseml.kubernetes;

import dev.fuseml.eventing.Tokens;

import java.util.Locale;

/**
 * Kubernetes object names from FuseML's: DNS labels of at most 63 characters (Job names, and the pod labels
 * Kubernetes derives from them, must fit), whatever the length of the app or run id. A name that does not fit is
 * cut and ends with a hash of the whole, so that two long names never collide.
 */
public final class Names {
    public static final int MAX = 63;
    private static final int HASH = 10;

    private Names() {
    }

    /** The parts joined with '-', lower-cased, other characters made '-', at most 63 characters. */
    public static String label(String... parts) {
        String joined = String.join("-", parts).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String trimmed = joined.replaceAll("^-+|-+$", "");
        if (trimmed.length() <= MAX && !trimmed.isEmpty()) {
            return trimmed;
        }
        String hash = Tokens.sha256(joined).substring(0, HASH);
        String head = trimmed.substring(0, Math.min(trimmed.length(), MAX - HASH - 1)).replaceAll("-+$", "");
        return head.isEmpty() ? "x" + hash : head + "-" + hash;
    }
}
