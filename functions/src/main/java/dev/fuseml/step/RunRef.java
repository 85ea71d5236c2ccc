package dev.fuseml.step;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;

import java.util.Map;
import java.util.regex.Pattern;

/** The identity of a run as every event of the chain carries it, in extension attributes. */
public record RunRef(String org, String app, String run) {
    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9][-a-z0-9]{0,62}");

    /** Run ids are DNS labels too: they name files, artifact paths and (on a cluster) Jobs. */
    public static boolean validId(String id) {
        return id != null && RUN_ID.matcher(id).matches();
    }

    /** Reads the run extensions; an event without them is refused with the names of the missing ones. */
    public static RunRef of(Map<String, String> extensions) {
        Map<String, String> ext = extensions == null ? Map.of() : extensions;
        String org = ext.get(FusemlEvents.EXT_ORG);
        String app = ext.get(FusemlEvents.EXT_APP);
        String run = ext.get(FusemlEvents.EXT_RUN);
        if (org == null || app == null || run == null) {
            throw new IllegalArgumentException("the event lacks the run extension attributes "
                    + FusemlEvents.RUN_EXTENSIONS + " (got " + ext.keySet() + ")");
        }
        Names.require("org", org);
        Names.require("app", app);
        if (!validId(run)) {
            throw new IllegalArgumentException("invalid run id '" + run + "': lower-case letters, digits and '-'");
        }
        return new RunRef(org, app, run);
    }

    /**
     * The run of a binary-mode delivery whose extension values came as header text: read as the HTTP binding says
     * (percent-decoded, lenient about raw UTF-8), as the broker's ingress reads them.
     */
    public static RunRef ofHeaders(Map<String, String> extensions) {
        return of(headerAttributes(extensions));
    }

    /**
     * Extension attributes as a binary-mode delivery's headers carried them: names lower-cased (HTTP header names are
     * case-insensitive and a sender may write {@code Ce-Fusemlorg}, as Go's and Python's HTTP clients do, while
     * CloudEvents attribute names are lower-case) and values percent-decoded.
     */
    public static Map<String, String> headerAttributes(Map<String, String> extensions) {
        Map<String, String> decoded = new java.util.HashMap<>();
        if (extensions != null) {
            try {
                for (Map.Entry<String, String> e : extensions.entrySet()) {
                    String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
                    decoded.put(name, e.getValue() == null ? null
                            : dev.fuseml.eventing.CloudEventHttp.headerText("ce-" + name, e.getValue()));
                }
            } catch (dev.fuseml.eventing.CloudEventHttp.InvalidEventException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return decoded;
    }

    public Map<String, String> extensions() {
        return Map.of(FusemlEvents.EXT_ORG, org, FusemlEvents.EXT_APP, app, FusemlEvents.EXT_RUN, run);
    }

    @Override
    public String toString() {
        return org + "/" + app + " run " + run;
    }
}
