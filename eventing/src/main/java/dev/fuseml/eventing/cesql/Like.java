package dev.fuseml.eventing.cesql;

/**
 * SQL LIKE matching: {@code %} any run of characters, {@code _} one character, {@code \%} and {@code \_} literal.
 * Greedy, going back only to the last {@code %} seen: at most (value length x pattern length) steps, so that a
 * pattern with many {@code %} cannot stall the broker (a recursive matcher takes exponential time on
 * {@code '%a%a%a%a%a%a%b'}).
 */
final class Like {
    private static final int ANY_ONE = -1;
    private static final int ANY_RUN = -2;

    private Like() {
    }

    static boolean matches(String value, String pattern) {
        int[] p = tokens(pattern);
        int vi = 0;
        int pi = 0;
        int lastRun = -1; // pattern position after the last %
        int resumeAt = 0; // where the value goes on when the text after that % does not match here
        while (vi < value.length()) {
            if (pi < p.length && (p[pi] == ANY_ONE || p[pi] == value.charAt(vi))) {
                vi++;
                pi++;
            } else if (pi < p.length && p[pi] == ANY_RUN) {
                lastRun = ++pi;
                resumeAt = vi;
            } else if (lastRun >= 0) {
                pi = lastRun;
                vi = ++resumeAt;
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == ANY_RUN) {
            pi++;
        }
        return pi == p.length;
    }

    /** The pattern as characters, {@link #ANY_ONE} and {@link #ANY_RUN} (runs of % folded into one). */
    private static int[] tokens(String pattern) {
        int[] out = new int[pattern.length()];
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length() && (pattern.charAt(i + 1) == '%' || pattern.charAt(i + 1) == '_')) {
                out[n++] = pattern.charAt(++i);
            } else if (c == '%') {
                if (n == 0 || out[n - 1] != ANY_RUN) {
                    out[n++] = ANY_RUN;
                }
            } else if (c == '_') {
                out[n++] = ANY_ONE;
            } else {
                out[n++] = c;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
