package dev.fuseml.eventing;

import java.util.regex.Pattern;

/**
 * Org and app names are DNS-1123 labels, because on a cluster they become Kubernetes namespaces and service names.
 */
public final class Names {
    public static final String RULE = "a DNS-1123 label: at most 63 characters, lower-case letters, digits and '-', "
            + "starting and ending with a letter or digit (for example 'wine-quality')";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private Names() {
    }

    public static boolean valid(String name) {
        return name != null && name.length() <= 63 && LABEL.matcher(name).matches();
    }

    /** Returns {@code name}, or throws naming the rule. */
    public static String require(String what, String name) {
        if (!valid(name)) {
            throw new IllegalArgumentException("invalid " + what + " name '" + name + "': it must be " + RULE);
        }
        return name;
    }

    /**
     * A new run id for {@code app}: the app's name, then the time and a random part, within the 63 characters of a
     * DNS-1123 label (run ids name Kubernetes Jobs too).
     */
    public static String runId(String app) {
        String suffix = Long.toString(java.time.Instant.now().toEpochMilli() % 1_000_000_000L, 36) + "-"
                + java.util.UUID.randomUUID().toString().substring(0, 4);
        String prefix = app.length() > 63 - suffix.length() - 1 ? app.substring(0, 63 - suffix.length() - 1) : app;
        return prefix.replaceAll("-+$", "") + "-" + suffix;
    }
}
