package dev.fuseml.auth;

/**
 * Who a request comes from: the deployment itself ({@link #SYSTEM}: its functions and broker), the admin (the token
 * {@code fuseml install} made), or the holder of an org token, who reaches that org only.
 *
 * @param name what logs and {@code fuseml tokens} call it (never the token)
 * @param org  the one org it reaches, or null for no restriction
 * @param delivery whether it is a broker's delivery on a cluster (Knative's sender identity), which reaches the
 *                 paths events are delivered to, of its org's events, and nothing else
 * @param app      with {@code run}, the app of the one run a run's token reaches; null otherwise
 * @param run      the one run a run's token reaches (its log, its artifacts, its app's codeset); null otherwise
 */
public record Principal(String name, String org, boolean delivery, String app, String run) {
    /** Where the request gate (platform.Routes) leaves the principal of a request for the resources behind. */
    public static final String KEY = "fuseml.principal";
    public Principal(String name, String org) {
        this(name, org, false);
    }

    public Principal(String name, String org, boolean delivery) {
        this(name, org, delivery, null, null);
    }

    /** A run's token (a training Job's on a cluster): reaches that run only, see {@code Access.runRefusal}. */
    public static Principal ofRun(String org, String app, String run) {
        return new Principal("run-" + run, org, false, app, run);
    }

    /** What a Knative Broker of {@code org}'s namespace delivers as (see kubernetes/ClusterIdentity). */
    public static Principal deliveryOf(String org) {
        return new Principal("knative-broker-" + org, org, true);
    }

    public static final Principal SYSTEM = new Principal("system", null);
    public static final Principal ADMIN = new Principal("admin", null);
    /** A request without a token, on a path open to all: it reaches no org. */
    public static final Principal ANONYMOUS = new Principal("anonymous", "");

    public boolean unrestricted() {
        return org == null;
    }

    public boolean reaches(String org) {
        return this.org == null || this.org.equals(org);
    }

    /** The principal a request was admitted as; without authentication (no tokens configured) that is the system. */
    public static Principal of(io.vertx.ext.web.RoutingContext context) {
        Principal p = context == null ? null : context.get(KEY);
        return p == null ? SYSTEM : p;
    }
}
