package dev.fuseml.process;

import java.util.regex.Pattern;

/**
 * Masks credentials in text that is about to be logged or shown: the user and password of URLs
 * ({@code https://user:token@host/...}), as a requirements line or pip's output may carry them.
 */
public final class Redaction {
    /**
     * The userinfo is all of the authority up to its last {@code @} (a password may hold one), and the authority ends
     * at the first {@code /}, {@code ?}, {@code #} or space: a greedy match within those bounds finds it whole.
     */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s?#]*@");

    private Redaction() {
    }

    public static String mask(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        return URL_CREDENTIALS.matcher(text).replaceAll("$1***@");
    }
}
