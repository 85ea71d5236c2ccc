package dev.fuseml.auth;

/**
 * Who a request comes from: the deployment itself ({@link #SYSTEM}: its functions and broker), the admin (the token
 * {@code fuseml install} made), or the holder of an org token, who reaches that org only.
 *
 * @param name what logs and {@code fuseml tokens} call it (never the token)
 * @param org  the one org it reaches, or null for no restriction
 */
public record Principal(String name, String org) {
    /** Where the request gate (platform.Routes) leaves the principal of a request for the resources behind. */
    public static final String KEY = "fuseml.principal";
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
