package dev.fuseml.mlflow;

/*
 * SQL's LIKE: % any run, _ one character, everything else literal (MLflow's file store turns the pattern into a
 * regex without escaping it; its SQL stores, which most servers run, treat '.' literally, as here). Greedy
 * two-pointer matching keeps the worst case at text x pattern, where a regex could backtrack exponentially.
 */
final class LikePattern {
    // code points, decoded once rather than per subject
    private final int[] pattern;
    private final boolean ignoreCase;

    /** {@code ignoreCase} for ILIKE. */
    LikePattern(String pattern, boolean ignoreCase) {
        this.pattern = pattern.codePoints().toArray();
        this.ignoreCase = ignoreCase;
    }

    boolean matches(String text) {
        int[] t = text.codePoints().toArray();
        int ti = 0;
        int pi = 0;
        int star = -1;
        int resume = 0;
        while (ti < t.length) {
            if (pi < pattern.length && pattern[pi] == '%') {
                star = pi++;
                resume = ti;
            } else if (pi < pattern.length && (pattern[pi] == '_' || same(pattern[pi], t[ti]))) {
                pi++;
                ti++;
            } else if (star >= 0) {
                pi = star + 1;
                ti = ++resume;
            } else {
                return false;
            }
        }
        while (pi < pattern.length && pattern[pi] == '%') {
            pi++;
        }
        return pi == pattern.length;
    }

    private boolean same(int a, int b) {
        return a == b || ignoreCase && (Character.toUpperCase(a) == Character.toUpperCase(b)
                || Character.toLowerCase(a) == Character.toLowerCase(b));
    }
}
